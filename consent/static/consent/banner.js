/* C-DOT cookie banner: plain JavaScript, no framework, no inline style (CSP-safe).
   Served by the privacy app as /consent/<version>/<build>/banner.js with its configuration
   (texts nl/fr/en, the register's cookie inventory) filled in below. See docs/COOKIES.md.
   Scripts written as <script type="text/plain" data-consent="statistics"> (an external one with
   data-src="..." instead of src) run only after the visitor consented to that category and this
   app recorded it (fail closed). */
(function (C) {
  "use strict";
  var d = document;
  if (!C || window.cdotConsent) return;
  var me = d.currentScript;
  // the app's address, from the script tag (/consent/banner.js, redirected to its version)
  var base = me ? me.src.replace(/\/consent\/(?:[^/]+\/[^/]+\/)?banner\.js(?:[?#].*)?$/, "") : "";
  var lang = (d.documentElement.getAttribute("lang") || "").slice(0, 2).toLowerCase();
  if (!C.texts[lang]) lang = "nl";
  var T = C.texts[lang], U = T.ui, P = "cdot-cc";
  var state = read();
  var root, box, layer, actions, status, lastFocus, reopened;

  function el(tag, attrs, text) {
    var n = d.createElement(tag);
    for (var k in attrs || {}) n.setAttribute(k, attrs[k]);
    if (text) n.textContent = text;
    return n;
  }

  // --- the consent cookie: <id>.<version>.<granted categories joined by +, or ->
  function read() {
    var m = d.cookie.match(new RegExp("(?:^|; )" + C.cookie + "=([^;]*)"));
    var p = m ? m[1].split(".") : [];
    if (p.length !== 3 || !/^[A-Za-z0-9_-]{22}$/.test(p[0])) return null;
    var c = p[2] === "-" ? [] : p[2].split("+");
    return { id: p[0], v: p[1], c: c.filter(function (k) { return C.categories.indexOf(k) >= 0; }) };
  }

  function write(s) {
    d.cookie = C.cookie + "=" + [s.id, s.v, s.c.join("+") || "-"].join(".") + "; Max-Age=" +
      C.maxAge + "; Path=/; SameSite=Lax" + (location.protocol === "https:" ? "; Secure" : "");
  }

  function current() { return state && state.v === C.v ? state.c.slice() : []; }

  function granted(cat) { return current().indexOf(cat) >= 0; }

  // --- running consented scripts; removing a withdrawn category's cookies
  function activate() {
    var list = d.querySelectorAll('script[type="text/plain"][data-consent]');
    for (var i = 0; i < list.length; i++) {
      var s = list[i];
      if (!granted(s.getAttribute("data-consent"))) continue;
      var n = d.createElement("script");
      for (var j = 0; j < s.attributes.length; j++) {
        var a = s.attributes[j];
        if (a.name !== "type" && a.name !== "data-consent" && a.name !== "nonce") {
          // valid HTML keeps an inert external script's address in data-src
          n.setAttribute(a.name === "data-src" ? "src" : a.name, a.value);
        }
      }
      if (s.nonce) n.nonce = s.nonce;
      n.async = false;
      n.setAttribute("data-consent-given", s.getAttribute("data-consent"));
      n.text = s.text;
      s.parentNode.replaceChild(n, s);
    }
  }

  function matches(pattern, name) {
    var re = "^" + pattern.split("*").map(function (x) {
      return x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }).join(".*") + "$";
    return new RegExp(re).test(name);
  }

  function purge(cats) {
    var names = d.cookie ? d.cookie.split("; ").map(function (c) { return c.split("=")[0]; }) : [];
    var host = location.hostname.split(".");
    names.forEach(function (name) {
      cats.forEach(function (cat) {
        (C.patterns[cat] || []).forEach(function (p) {
          if (!matches(p, name)) return;
          for (var i = 0; i < host.length; i++) {
            var dom = i ? "; Domain=." + host.slice(i).join(".") : "";
            d.cookie = name + "=; Max-Age=0; Path=/" + dom;
          }
        });
      });
    });
  }

  function announce(text) {
    if (!status) {
      status = el("div", { "class": P + "-status", role: "status", "aria-live": "polite" });
      d.body.appendChild(status);
    }
    status.textContent = "";
    if (text) setTimeout(function () { status.textContent = text; }, 50);
  }

  // --- recording a choice: it takes effect only when this app has recorded it
  function save(choice) {
    var wanted = C.categories.filter(function (k) { return choice[k]; });
    var withdrawn = current().filter(function (k) { return wanted.indexOf(k) < 0; });
    var body = { version: C.v, language: lang };
    ["preferences", "statistics", "marketing"].forEach(function (k) {
      body[k] = wanted.indexOf(k) >= 0;
    });
    if (state) body.consent_id = state.id;
    close();
    if (withdrawn.length) purge(withdrawn);
    var done = function (ok, id) {
      if (ok) {
        state = { id: id, v: C.v, c: wanted };
      } else if (state) {
        // not recorded: fail closed (the earlier consent is not used any more) and ask again
        // on the next page, under the same ID, so that the change is recorded once we answer
        state = { id: state.id, v: "-", c: [] };
        purge(C.categories);
      }
      if (state) write(state);
      announce(ok ? U.saved : U.failed);
      if (ok) activate();
    };
    var fail = function () { done(false); };
    if (!window.fetch) return fail();
    fetch(base + "/api/v1/consent", {
      method: "POST", mode: "cors", credentials: "omit", cache: "no-store",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (r) {
      if (r.status !== 201) throw new Error("not recorded");
      return r.json();
    }).then(function (j) { done(true, j.consent_id); }, fail);
  }

  function choiceFromForm() {
    var choice = {};
    C.categories.forEach(function (k) { choice[k] = d.getElementById(P + "-" + k).checked; });
    return choice;
  }

  function all(value) {
    var choice = {};
    C.categories.forEach(function (k) { choice[k] = value; });
    return choice;
  }

  // --- the dialog
  function cookieList(cookies) {
    var ul = el("ul", { "class": P + "-list" });
    cookies.forEach(function (c) {
      var li = el("li");
      li.appendChild(el("strong", {}, c.name));
      li.appendChild(d.createTextNode(" — " + c.purpose + " (" + c.party + "; " + U.lifetime + ": " + c.lifetime + ")"));
      ul.appendChild(li);
    });
    var det = el("details");
    det.appendChild(el("summary", {}, U.cookies));
    det.appendChild(ul);
    return det;
  }

  function button(text, onclick, cls) {
    var b = el("button", { type: "button", "class": P + "-btn" + (cls ? " " + cls : "") }, text);
    b.addEventListener("click", onclick);
    return b;
  }

  function build() {
    root = el("div", {
      "class": P, role: "dialog", "aria-modal": "true", "aria-labelledby": P + "-title",
      "aria-describedby": P + "-intro", lang: lang, hidden: ""
    });
    box = el("div", { "class": P + "-box", tabindex: "-1" });
    var x = button("×", function () { dismiss(); }, P + "-x");
    x.setAttribute("aria-label", U.close);
    box.appendChild(x);
    box.appendChild(el("h2", { id: P + "-title" }, U.title));
    var intro = el("p", { id: P + "-intro" }, U.intro + " " + U.remember + " ");
    intro.appendChild(el("a", { href: base + T.statementUrl }, U.statement));
    box.appendChild(intro);

    layer = el("form", { "class": P + "-choose", hidden: "" });
    var nec = el("div", { "class": P + "-cat" });
    nec.appendChild(el("h3", {}, U.necessary));
    nec.appendChild(el("p", {}, U.necessaryText));
    nec.appendChild(cookieList(T.necessary));
    layer.appendChild(nec);
    T.categories.forEach(function (cat) {
      var div = el("div", { "class": P + "-cat" });
      var row = el("div", { "class": P + "-check" });
      row.appendChild(el("input", { type: "checkbox", id: P + "-" + cat.key, name: cat.key }));
      row.appendChild(el("label", { "for": P + "-" + cat.key }, cat.label));
      div.appendChild(row);
      div.appendChild(el("p", {}, cat.text));
      div.appendChild(cookieList(cat.cookies));
      layer.appendChild(div);
    });
    layer.appendChild(el("button", { type: "submit", "class": P + "-btn" }, U.save));
    layer.addEventListener("submit", function (e) { e.preventDefault(); save(choiceFromForm()); });
    box.appendChild(layer);

    actions = el("div", { "class": P + "-actions" });
    actions.appendChild(button(U.reject, function () { save(all(false)); }));
    actions.appendChild(button(U.accept, function () { save(all(true)); }));
    actions.appendChild(button(U.choose, function () { showChoices(); }, P + "-choose-btn"));
    box.appendChild(actions);
    root.appendChild(box);
    root.addEventListener("keydown", trap);
    d.body.appendChild(root);
  }

  function showChoices() {
    C.categories.forEach(function (k) { d.getElementById(P + "-" + k).checked = granted(k); });
    layer.hidden = false;
    actions.querySelector("." + P + "-choose-btn").hidden = true;
    var first = layer.querySelector("input");
    (first || layer.querySelector("button")).focus();
  }

  function focusables() {
    return Array.prototype.filter.call(
      box.querySelectorAll("a[href], button, input, summary"),
      function (n) { return n.offsetParent !== null; }
    );
  }

  function trap(e) {
    if (e.key === "Escape") { e.preventDefault(); dismiss(); return; }
    if (e.key !== "Tab") return;
    var f = focusables(), first = f[0], last = f[f.length - 1];
    if (e.shiftKey && (d.activeElement === first || d.activeElement === box)) {
      e.preventDefault(); last.focus();
    } else if (!e.shiftKey && d.activeElement === last) {
      e.preventDefault(); first.focus();
    }
  }

  function open(choices) {
    if (!root) build();
    reopened = !!choices;
    lastFocus = d.activeElement;
    root.hidden = false;
    layer.hidden = true;
    actions.querySelector("." + P + "-choose-btn").hidden = false;
    if (choices) showChoices(); else box.focus();
  }

  function close() {
    if (!root || root.hidden) return;
    root.hidden = true;
    if (lastFocus && lastFocus.focus) lastFocus.focus();
  }

  // Closing the first question refuses; closing the settings later keeps the earlier choice.
  function dismiss() {
    if (reopened && state && state.v === C.v) close(); else save(all(false));
  }

  function start() {
    announce("");  // the status region exists before anything is announced in it
    activate();
    var links = d.querySelectorAll("[data-consent-open]");
    for (var i = 0; i < links.length; i++) if (!links[i].textContent.trim()) links[i].textContent = U.settings;
    d.addEventListener("click", function (e) {
      var t = e.target.closest && e.target.closest("[data-consent-open]");
      if (t) { e.preventDefault(); open(true); }
    });
    if (C.categories.length && !(state && state.v === C.v)) open(false);
  }

  window.cdotConsent = {
    version: C.v,
    open: function () { open(true); },
    withdraw: function () { save(all(false)); },
    granted: current
  };
  var css = el("link", { rel: "stylesheet", href: base + "/consent/" + C.build + "/banner.css" });
  d.head.appendChild(css);
  if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", start); else start();
})(/*CONFIG*/null);
