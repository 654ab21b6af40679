/* Language tabs for the register's translated fields (issue 17).
 *
 * django-modeltranslation renders each translated field three times (name_nl, name_fr,
 * name_en), one under the other. This script puts one row of tabs (Nederlands / Français /
 * English) above the form and shows the fields of one language at a time; the choice is kept
 * per browser. Without JavaScript every field stays visible, as before. A static file: the
 * admin's Content-Security-Policy (script-src 'self') allows it, no jQuery UI from a CDN.
 */
(function () {
  "use strict";
  var LANGS = ["nl", "fr", "en"];
  var KEY = "cdot-admin-language-tab";

  function languageOf(row) {
    var match = /(?:^|\s)field-[\w-]+_(nl|fr|en)(?:\s|$)/.exec(row.className);
    return match ? match[1] : null;
  }

  function show(form, lang) {
    form.querySelectorAll(".form-row, .fieldBox").forEach(function (row) {
      var rowLang = languageOf(row);
      if (rowLang) row.hidden = rowLang !== lang;
    });
    form.querySelectorAll(".lang-tabs button").forEach(function (button) {
      var current = button.dataset.lang === lang;
      button.setAttribute("aria-pressed", current ? "true" : "false");
    });
    try { window.localStorage.setItem(KEY, lang); } catch (e) { /* private mode */ }
  }

  function init() {
    var form = document.querySelector("#content-main form");
    if (!form) return;
    var rows = Array.prototype.filter.call(form.querySelectorAll(".form-row, .fieldBox"), languageOf);
    if (!rows.length) return;
    var names = JSON.parse(document.getElementById("lang-tab-names").textContent);
    var bar = document.createElement("div");
    bar.className = "lang-tabs";
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", names.label);
    LANGS.forEach(function (lang) {
      var button = document.createElement("button");
      button.type = "button";
      button.lang = lang;
      button.dataset.lang = lang;
      button.textContent = names[lang];
      button.addEventListener("click", function () { show(form, lang); });
      bar.appendChild(button);
    });
    form.insertBefore(bar, form.firstChild);
    var stored = null;
    try { stored = window.localStorage.getItem(KEY); } catch (e) { /* private mode */ }
    var pageLang = (document.documentElement.lang || "nl").slice(0, 2);
    show(form, LANGS.indexOf(stored) >= 0 ? stored : (LANGS.indexOf(pageLang) >= 0 ? pageLang : "nl"));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
