#!/usr/bin/env bash
# Install the test dependencies, run the checks, then the whole test suite.
#
# The checks come first and any failure stops the run: ruff (lint, and the
# formatting: run `ruff format src tests bench` to fix that), mypy on the public
# API (configured in pyproject.toml), then pytest with the slow tests too (a
# plain `pytest` leaves them out: `pytest -m slow` runs only those).
# Provisions what the suite needs beyond PyPI when it is missing (Debian's
# postgresql and chromium, installed with apt-get when run as root), starts a
# throw-away PostgreSQL server on loopback for the PostgreSQL store tests,
# and stops it again at the end. Extra arguments go to pytest; the tests run on every core.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null; then SUDO="sudo"; fi

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium fonts-dejavu-core)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] || [ -n "$SUDO" ]; then
    echo "installing Debian packages: ${need[*]}"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
  else
    echo "warning: missing ${need[*]} and no root: those tests will be skipped" >&2
  fi
fi

python -m pip install -q -e '.[test]'

echo "ruff check"
python -m ruff check src tests bench
echo "ruff format --check"
python -m ruff format --check src tests bench
echo "mypy"
python -m mypy

# A throw-away PostgreSQL server on loopback, unless one is given.
if [ -z "${CARLZON_TEST_PG_URL:-}" ] && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  PGDATA=$(mktemp -d /tmp/carlzon-pg.XXXXXX)
  PGPORT=$(python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  RUN=""
  if [ "$(id -u)" = "0" ]; then chown postgres "$PGDATA"; RUN="su postgres -c"; else RUN="bash -c"; fi
  $RUN "$PGBIN/initdb -D $PGDATA -A trust -U postgres >/dev/null"
  $RUN "$PGBIN/pg_ctl -D $PGDATA -o '-k $PGDATA -c listen_addresses=127.0.0.1 -p $PGPORT -c fsync=off' -l $PGDATA/log -w start >/dev/null"
  trap '$RUN "$PGBIN/pg_ctl -D $PGDATA -m fast stop >/dev/null"; rm -rf "$PGDATA"' EXIT
  $RUN "$PGBIN/createdb -h 127.0.0.1 -p $PGPORT -U postgres carlzon_test"
  export CARLZON_TEST_PG_URL="postgresql://postgres@127.0.0.1:$PGPORT/carlzon_test"
  echo "PostgreSQL test server on 127.0.0.1:$PGPORT"
fi

# One worker per core (pytest-xdist) unless "$@" says otherwise (-n 0 runs in one process); each test
# that needs PostgreSQL makes its own schema, each store its own file, so workers never share one.
par=(-n auto)
for a in "$@"; do case "$a" in -n|-n*|--numprocesses*|no:xdist) par=() ;; esac; done
# -m "" undoes the default deselection of slow tests (pyproject addopts); a -m in "$@" wins.
python -m pytest -m "" "${par[@]}" "$@"
