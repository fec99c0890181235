#!/usr/bin/env bash
# Sync on one machine, in the browser: a central server with demo data and two nodes (the
# server binary with --upstream, each on its own SQLite file, as a front-desk PC would be),
# all serving the web UI. Stop the central server (the `kill` it prints) to "pull the cable";
# work on both nodes; start it again with the command it prints; watch them converge.
#
#   scripts/sync-demo.sh [work-dir]      (default: a new temporary directory)
#
# Ports 8090 (central), 8091 and 8092 (nodes). The administrator `sync-admin` gets a random
# password, printed below; nodes connect with it and cache it for offline logins.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
bash "$root/scripts/setup.sh" desktop >/dev/null
(cd "$root" && cargo build -q -p clinicdesk-server)
[ -f "$root/ui/dist/index.html" ] || (cd "$root/ui" && npm run build >/dev/null)
bin="${CARGO_TARGET_DIR:-$root/target}/debug/clinicdesk-server"
password="$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

if [ ! -f "$work/central/clinicdesk.db" ]; then
  mkdir -p "$work/central"
  printf '%s\n%s\n' "$password" "$password" | "$bin" users create --data-dir "$work/central" \
    --username sync-admin --role admin --display-name "동기화 관리자" >/dev/null
  echo "$password" >"$work/central/admin-password"
  chmod 600 "$work/central/admin-password"
fi
password="$(cat "$work/central/admin-password")"

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
central=("$bin" --addr 127.0.0.1:8090 --data-dir "$work/central" --demo --demo-customers 300
  --ui-dir "$root/ui/dist" --log-format pretty)
"${central[@]}" >>"$work/central.log" 2>&1 &
pids+=($!)
central_pid=$!
until curl -fsS http://127.0.0.1:8090/readyz >/dev/null 2>&1; do sleep 0.3; done
for n in 1 2; do
  mkdir -p "$work/node$n"
  CLINICDESK_UPSTREAM_PASSWORD="$password" "$bin" --addr "127.0.0.1:809$n" --data-dir "$work/node$n" \
    --upstream http://127.0.0.1:8090 --upstream-username sync-admin --sync-interval-ms 5000 \
    --ui-dir "$root/ui/dist" --log-format pretty >"$work/node$n.log" 2>&1 &
  pids+=($!)
done
for n in 1 2; do until curl -fsS "http://127.0.0.1:809$n/readyz" >/dev/null 2>&1; do sleep 0.3; done; done
cat <<EOF
central server  http://127.0.0.1:8090   (log: $work/central.log)
node 1          http://127.0.0.1:8091   (log: $work/node1.log)
node 2          http://127.0.0.1:8092   (log: $work/node2.log)
log in as sync-admin / $password  (on the nodes once they have pulled the accounts)
Nodes sync every 5 s. Pull the cable:  kill $central_pid
Plug it back in:  ${central[*]} >>$work/central.log 2>&1 &
Ctrl+C stops the nodes; run this again with "$work" to resume where they were.
EOF
wait
