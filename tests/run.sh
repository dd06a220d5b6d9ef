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

step "the OpenAPI document against the running server (schemathesis)"
# Every operation fuzzed from the document (bounded: a fixed seed, 10 examples each); the run
# fails on any server error or any answer the document does not describe (status, media type,
# body schema). Inbound vendor webhooks are left out: unsigned requests are refused unread.
SCHEMATHESIS_VENV="${SCHEMATHESIS_VENV:-/var/tmp/assetronics-schemathesis}"
if [ ! -x "$SCHEMATHESIS_VENV/bin/schemathesis" ]; then
  python3 -m venv "$SCHEMATHESIS_VENV"
  "$SCHEMATHESIS_VENV/bin/pip" install -q 'schemathesis==4.32.5'
fi
(
  data=$(mktemp -d)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  ASSETRONICS_DATA_DIR="$data" ASSETRONICS_BIND="127.0.0.1:$port" \
    ASSETRONICS_RATE_LIMIT_TENANT_RPS=100000 ASSETRONICS_RATE_LIMIT_CALLER_RPS=100000 \
    "$CARGO_TARGET_DIR/debug/assetronics" serve >"$data/server.log" 2>&1 &
  server=$!
  trap 'kill "$server" 2>/dev/null || true; rm -rf "$data"' EXIT
  for _ in $(seq 1 50); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  token=$(curl -fsS -X POST "http://127.0.0.1:$port/api/v1/auth/signup" -H 'content-type: application/json' \
    -d '{"organization_name":"Schema Probe","name":"Probe","email":"probe@schema.test","password":"schema-probe-password"}' |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
  timeout 900 "$SCHEMATHESIS_VENV/bin/schemathesis" run "http://127.0.0.1:$port/api/openapi.json" \
    --url "http://127.0.0.1:$port" -H "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples 10 --seed 20261204 --exclude-path-regex '^/webhooks' --no-color
)

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
