# Sourced by bin/_venv.sh and bin/lock: sets PYTHON_BIN, the interpreter the project's venvs use.
# The interpreter: $PYTHON when set; otherwise the system's /usr/bin/python3 when it is 3.11 or
# newer and can make a venv (on Debian that is the Python the Docker image runs, and Debian's
# build is the faster one on these machines: the test suite spends 10-15 % less CPU on it than on
# the pyenv build first in PATH, docs/BENCHMARKS.md); otherwise python3 from PATH.
if [ -n "${PYTHON:-}" ]; then
  PYTHON_BIN=$PYTHON
elif /usr/bin/python3 -c 'import ensurepip, sys, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  PYTHON_BIN=/usr/bin/python3
else
  PYTHON_BIN=python3
fi
