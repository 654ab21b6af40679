# Sourced by bin/run and bin/test: create or update .venv from requirements.lock.
# Re-installs only when the lock changed, so a second run starts at once.
set -euo pipefail
PYTHON_BIN="${PYTHON:-python3}"
"$PYTHON_BIN" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "cdot-privacy needs Python 3.11 or newer (found: $("$PYTHON_BIN" --version 2>&1))." >&2; exit 1; }
if [ ! -x .venv/bin/python ]; then
  echo "» creating .venv"
  "$PYTHON_BIN" -m venv .venv
fi
stamp=.venv/.lock-sha256
want=$(sha256sum requirements.lock | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "» installing the locked dependencies (requirements.lock)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
  echo "$want" > "$stamp"
fi
if command -v msgfmt >/dev/null 2>&1; then
  .venv/bin/python manage.py compilemessages --ignore=.venv --verbosity 0
fi
