#!/usr/bin/env bash
# Starts the server with demo data on a fresh SQLite file, serving the built UI, and drives it
# with Debian's Chromium through playwright-core (ui/e2e/run.mjs).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
server_bin="${CARGO_TARGET_DIR:-$root/target}/debug/clinicdesk-server"
[ -x "$server_bin" ] || (cd "$root" && cargo build -p clinicdesk-server)

# A second clinic on the same server (ui/e2e/clinics.mjs), with its own administrator.
second_password="hongdae-e2e-$RANDOM$RANDOM"
printf '%s\n%s\n' "$second_password" "$second_password" | "$server_bin" users create \
  --data-dir "$work" --clinic hongdae --username hongdae-admin --role admin >/dev/null

"$server_bin" --addr 127.0.0.1:0 --data-dir "$work" --database-url "sqlite://$work/e2e.db" --demo \
  --clinic hongdae --ui-dir "$root/ui/dist" --log-format json >"$work/server.log" 2>&1 &
server_pid=$!
trap 'kill $server_pid 2>/dev/null || true; wait $server_pid 2>/dev/null || true' EXIT

addr=""
for _ in $(seq 1 300); do
  addr="$(grep -m1 -oE '"addr":"[^"]+"' "$work/server.log" | cut -d'"' -f4 || true)"
  if [ -n "$addr" ] && curl -fsS "http://$addr/readyz" >/dev/null 2>&1; then
    break
  fi
  sleep 0.2
done
if [ -z "$addr" ]; then
  echo "server did not start:"; cat "$work/server.log"; exit 1
fi
echo "server at http://$addr"
cd "$root/ui"
CLINICDESK_URL="http://$addr" CLINICDESK_SECOND_CLINIC="hongdae:hongdae-admin:$second_password" \
  node e2e/run.mjs
