#!/usr/bin/env bash
# Run a command with the database up: DATABASE_URL when set, otherwise the embedded PostgreSQL
# under var/pg, started here and stopped again afterwards if this script started it.
set -uo pipefail
PY=.venv/bin/python
started=0
if [ -z "${DATABASE_URL:-}" ]; then
  if [ "$($PY scripts/pg.py status | cut -d' ' -f1)" != "running" ]; then
    $PY scripts/pg.py start >/dev/null || exit 1
    started=1
  fi
  DATABASE_URL="$($PY scripts/pg.py url)"
  export DATABASE_URL
fi
stop_db() { [ "$started" = 1 ] && $PY scripts/pg.py stop; }
trap stop_db EXIT
trap 'exit 130' INT TERM
"$@"
