# Sourced by bin/run and bin/test: create or update .venv from the lock(s) they name.
#   VENV_LOCK=requirements.lock      bin/run: the runtime only (what the Docker image installs)
#   VENV_LOCK=requirements-dev.lock  bin/test: runtime + tests, linters, drivers (it includes -r requirements.lock)
# Re-installs (with uv, below) only when a lock changed, so a second run starts at once.
set -euo pipefail
source bin/_python.sh
VENV_LOCK="${VENV_LOCK:-requirements.lock}"
"$PYTHON_BIN" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "cdot-privacy needs Python 3.11 or newer (found: $("$PYTHON_BIN" --version 2>&1))." >&2; exit 1; }
# A .venv made with another interpreter is made again with this one.
real_executable='import os, sys; print(os.path.realpath(getattr(sys, "_base_executable", sys.executable)))'
if [ -x .venv/bin/python ]; then
  have=$(.venv/bin/python -c "$real_executable" 2>/dev/null || true)
  want=$("$PYTHON_BIN" -c "$real_executable")
  if [ "$have" != "$want" ]; then
    echo "» .venv runs on ${have:-an interpreter that is gone}: making it again with $want"
    rm -rf .venv
  fi
fi
if [ ! -x .venv/bin/python ]; then
  echo "» creating .venv"
  "$PYTHON_BIN" -m venv .venv
fi
# One stamp per lock: the dev lock's stamp covers the runtime lock it includes.
stamp=".venv/.$(basename "$VENV_LOCK" .lock)-sha256"
want=$(cat requirements.lock "$VENV_LOCK" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "» installing the locked dependencies ($VENV_LOCK)"
  # With uv, pinned in requirements-dev.lock (also for bin/run's runtime lock: uv is an installer
  # in .venv, out of requirements.lock and the image): pip installs that uv, uv installs the lock.
  # --compile-bytecode as pip does: bin/run's processes run with PYTHONDONTWRITEBYTECODE=1 here.
  # Like pip's, `uv pip install -r` adds and changes packages but removes none the lock dropped.
  # uv trusts only its own bundled roots unless told: it gets $SSL_CERT_FILE when set, else pip's
  # $PIP_CERT (a proxy with its own CA), else the system's store (UV_SYSTEM_CERTS).
  venv_uv=$(sed -n -E 's/^uv==([^ ;]+).*/\1/p' requirements-dev.lock 2>/dev/null || true)
  venv_tls=(env UV_SYSTEM_CERTS=1)
  if [ -n "${SSL_CERT_FILE:-${PIP_CERT:-}}" ]; then
    venv_tls=(env "SSL_CERT_FILE=${SSL_CERT_FILE:-$PIP_CERT}")
  fi
  venv_installer=pip
  if [ -z "$venv_uv" ]; then
    echo "requirements-dev.lock pins no uv: installing with pip" >&2
  elif [ "$(.venv/bin/uv --version 2>/dev/null | cut -d' ' -f2)" != "$venv_uv" ] &&
    ! .venv/bin/python -m pip install --quiet --disable-pip-version-check "uv==$venv_uv"; then
    echo "pip could not install uv==$venv_uv: installing with pip instead" >&2
  elif "${venv_tls[@]}" .venv/bin/uv pip install --quiet --python .venv/bin/python \
    --compile-bytecode -r "$VENV_LOCK"; then
    venv_installer=uv
  else
    echo "uv could not install $VENV_LOCK: installing with pip instead" >&2
  fi
  if [ "$venv_installer" = pip ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$VENV_LOCK"
  fi
  echo "$want" > "$stamp"
fi
if command -v msgfmt >/dev/null 2>&1; then
  .venv/bin/python manage.py compilemessages --ignore=.venv --verbosity 0
fi
