#!/usr/bin/env bash
# Installs what is missing and runs every ClinicDesk test: Rust unit tests, the API contract
# on SQLite (in-process) and PostgreSQL (server over HTTP), the demo generator, the desktop
# command tests, UI component tests, the browser end-to-end test against the server and the
# real desktop window under Xvfb via tauri-driver, and a smoke run of the benchmark harness.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
log_dir="$(mktemp -d)"
export CLINICDESK_TEST_PG_URL="${CLINICDESK_TEST_PG_URL:-postgres://clinicdesk:clinicdesk@127.0.0.1:5432/postgres}"
export PATH="$HOME/.cargo/bin:$PATH"

step() { echo; echo "==> $*"; }

step "set-up"
"$root/scripts/setup.sh" test

step "build the web UI"
(cd ui && npm run build)

step "build the workspace (server, desktop, tests)"
cargo build --workspace --all-targets

step "Rust tests (unit, contract on SQLite + PostgreSQL, demo, desktop commands)"
cargo test --workspace --no-fail-fast 2>&1 | tee "$log_dir/cargo.log"

step "UI component tests"
(cd ui && npm test 2>&1) | tee "$log_dir/vitest.log"

step "browser end-to-end test against the server"
"$root/scripts/browser-e2e.sh" 2>&1 | tee "$log_dir/browser.log"

step "desktop window test under Xvfb"
"$root/scripts/desktop-e2e.sh" 2>&1 | tee "$log_dir/desktop.log"

step "benchmark harness, smoke size (the full run is scripts/bench.sh)"
"$root/scripts/bench.sh" --smoke 2>&1 | tee "$log_dir/bench.log"

# One closing line over every runner (colour codes stripped first).
for f in "$log_dir"/*.log; do sed -i 's/\x1b\[[0-9;]*m//g' "$f"; done
passed=0; failed=0
while read -r p f; do passed=$((passed + p)); failed=$((failed + f)); done < <(
  # Each grep may find nothing; that must not end the list early.
  { grep -hoE "test result: [a-zA-Z]+\. [0-9]+ passed; [0-9]+ failed" "$log_dir/cargo.log" || true; } | awk '{print $4, $6}'
  { grep -hoE "Tests +([0-9]+ failed \| )?[0-9]+ passed" "$log_dir/vitest.log" || true; } |
    awk '{f = 0; for (i = 1; i <= NF; i++) { if ($(i + 1) == "failed") f = $i; if ($(i + 1) == "passed") p = $i } print p, f}'
  { grep -hoE "^[0-9]+ passed, [0-9]+ failed" "$log_dir/browser.log" "$log_dir/desktop.log" || true; } | awk '{print $1, $3}'
)
echo
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
