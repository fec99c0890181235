#!/usr/bin/env bash
# Starts the local PostgreSQL cluster if it is stopped and makes sure the test role exists.
set -euo pipefail
if ! command -v pg_lsclusters >/dev/null 2>&1; then
  echo "!! PostgreSQL is not installed (scripts/setup.sh test installs it)" >&2
  exit 1
fi
run_as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then su postgres -c "$1"; else sudo -u postgres sh -c "$1"; fi
}
read -r version cluster _ status _ < <(pg_lsclusters --no-header | head -n 1)
if [ -z "${version:-}" ]; then
  version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
  cluster=main
  run_as_postgres "pg_createcluster $version $cluster"
  status=down
fi
if [ "$status" != "online" ]; then
  echo "==> starting PostgreSQL $version/$cluster"
  if [ "$(id -u)" -eq 0 ]; then pg_ctlcluster "$version" "$cluster" start; else sudo pg_ctlcluster "$version" "$cluster" start; fi
fi
for _ in $(seq 1 30); do
  run_as_postgres "psql -qtAc 'SELECT 1'" >/dev/null 2>&1 && break
  sleep 1
done
run_as_postgres "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname = 'clinicdesk'\"" | grep -q 1 ||
  run_as_postgres "psql -qc \"CREATE ROLE clinicdesk LOGIN SUPERUSER PASSWORD 'clinicdesk'\""
# Databases left behind by earlier test runs.
for db in $(run_as_postgres "psql -qtAc \"SELECT datname FROM pg_database WHERE datname LIKE 'clinicdesk_contract_%' OR datname LIKE 'demo_test_%'\""); do
  run_as_postgres "psql -qc 'DROP DATABASE IF EXISTS \"$db\"'" >/dev/null 2>&1 || true
done
