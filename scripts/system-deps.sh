#!/usr/bin/env bash
# The few things `make` needs from the operating system, installed when missing:
#   PostgreSQL server binaries with contrib (pg_trgm) for the embedded database (skipped when DATABASE_URL is set),
#   Chromium for the browser tests, and Pango for WeasyPrint's PDFs.
# On Debian/Ubuntu as root they are installed with apt-get; elsewhere this stops and says what to install.
set -euo pipefail

missing=()
if [ -z "${DATABASE_URL:-}" ] && [ -z "${PG_BIN_DIR:-}" ]; then
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
    missing+=(postgresql postgresql-contrib)
  fi
fi
if [ "${1:-}" = "--with-browser" ] && ! command -v chromium >/dev/null 2>&1 && [ -z "${CHROMIUM_PATH:-}" ]; then
  missing+=(chromium)
fi
if ! ldconfig -p 2>/dev/null | grep -q libpango-1.0; then
  missing+=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)
fi

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them with your package manager (Debian/Ubuntu: sudo apt-get install ${missing[*]})," >&2
  echo "or point PG_BIN_DIR / DATABASE_URL / CHROMIUM_PATH at what you have." >&2
  exit 1
fi
