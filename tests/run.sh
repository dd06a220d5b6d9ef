#!/usr/bin/env bash
# Runs the whole test suite: lints, unit tests, the black-box API suite (REST, GraphQL and
# its subscriptions through the real npm clients) on SQLite and on PostgreSQL, and the web
# app's type check, build and unit tests.
# Usage: tests/run.sh        (from anywhere; installs what it needs on Debian)
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/assetronics-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
PG_URL="${ASSETRONICS_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432}"
export ASSETRONICS_TEST_PG_URL="$PG_URL"

step() { printf '\n== %s\n' "$*"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

ensure_postgres() {
  if pg_isready -q -d "$PG_URL/postgres" 2>/dev/null; then return; fi
  step "starting PostgreSQL"
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
  fi
  for v in $(ls /etc/postgresql); do
    as_root pg_ctlcluster --skip-systemctl-redirect "$v" main start || true
  done
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && break
    sleep 1
  done
  # Local tests connect as postgres without a password over loopback.
  if ! psql "$PG_URL/postgres" -qAtc 'select 1' >/dev/null 2>&1; then
    hba=$(ls /etc/postgresql/*/main/pg_hba.conf | head -n1)
    as_root sed -i 's/^\(host\s\+all\s\+all\s\+127.0.0.1\/32\s\+\).*/\1trust/' "$hba"
    for v in $(ls /etc/postgresql); do as_root pg_ctlcluster --skip-systemctl-redirect "$v" main reload || true; done
  fi
  psql "$PG_URL/postgres" -qAtc 'select 1' >/dev/null
}

drop_stale_test_databases() {
  psql "$PG_URL/postgres" -qAt -c "select datname from pg_database where datname like 'assetronics_test_%'" |
    while read -r db; do psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null || true; done
}

step "formatting (cargo fmt --check)"
cargo fmt --all --check

step "clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "client libraries for the black-box tests (phoenix, graphql-ws)"
(cd tests/js && npm ci --no-audit --no-fund --loglevel=error)

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  step "installing nginx (the web proxy of the production shape is tested live)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq nginx-light >/dev/null
fi

step "unit tests and black-box API tests on SQLite"
# Some tests start the real binary as separate processes (nodes, signals).
cargo build -p assetronics -p assetronics-integrations --locked
cargo test --workspace --locked

ensure_postgres
drop_stale_test_databases
step "black-box API tests on PostgreSQL"
ASSETRONICS_TEST_DATABASE=postgres cargo test -p assetronics-tests --locked

step "web app: install, type-check, build, unit tests"
(
  cd frontend
  npm ci --no-audit --no-fund --loglevel=error
  npm run build
  npm test
)

step "web app end to end in Chromium against the real server"
if ! command -v chromium >/dev/null 2>&1; then
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
fi
(cd frontend && npm run e2e)

step "all tests passed"
