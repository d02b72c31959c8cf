#!/usr/bin/env bash
# `make run`: migrate, load the demo city once, then serve with one job worker beside the web
# server. Ctrl-C stops both (and scripts/with-db.sh then stops the database it started).
set -euo pipefail
PY=.venv/bin/python
export NIGHTLY_RUNS_AS="${NIGHTLY_RUNS_AS:-supervisor}"  # the demo supervisor records the nightly runs
HOST="${1:-127.0.0.1:8000}"
$PY manage.py migrate --noinput
$PY manage.py seed_demo
$PY manage.py procrastinate worker &
worker=$!
stop_worker() { kill "$worker" 2>/dev/null && wait "$worker" 2>/dev/null; return 0; }
trap stop_worker EXIT
trap 'exit 130' INT TERM
$PY manage.py runserver "$HOST"
