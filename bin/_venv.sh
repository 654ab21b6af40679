# Sourced by bin/run and bin/test: create or update .venv from the lock(s) they name.
#   VENV_LOCK=requirements.lock      bin/run: the runtime only (what the Docker image installs)
#   VENV_LOCK=requirements-dev.lock  bin/test: runtime + tests, linters, drivers (it includes -r requirements.lock)
# Re-installs only when a lock changed, so a second run starts at once.
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
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$VENV_LOCK"
  echo "$want" > "$stamp"
fi
if command -v msgfmt >/dev/null 2>&1; then
  .venv/bin/python manage.py compilemessages --ignore=.venv --verbosity 0
fi
