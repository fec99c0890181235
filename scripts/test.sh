#!/usr/bin/env bash
# Installs what is missing and runs every ClinicDesk test: Rust unit tests, the API contract
# on SQLite (in-process) and PostgreSQL (server over HTTP), the demo generator, the desktop
# command tests, UI component tests, the browser end-to-end test against the server and the
# real desktop window under Xvfb via tauri-driver, and a smoke run of the benchmark harness.
#
# Every suite runs even when an earlier one fails. The last line is `N passed, M failed`
# over all of them; a suite that fails without reporting counts (it did not build, it
# crashed) adds one failure. The exit code is non-zero when anything failed.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
log_dir="$(mktemp -d)"
export CLINICDESK_TEST_PG_URL="${CLINICDESK_TEST_PG_URL:-postgres://clinicdesk:clinicdesk@127.0.0.1:5432/postgres}"
export PATH="$HOME/.cargo/bin:$PATH"
# The suites treat a missing database or service as a failure under CI, never a skip. This
# command is how CI runs them, and a developer running it wants the same verdict.
export CI="${CI:-true}"

step() { echo; echo "==> $*"; }

# suite NAME LOG COMMAND…: runs the command, keeping its output in LOG, and records whether
# it failed; never stops the script.
failed_suites=()
suite() {
  local name="$1" log="$2"
  shift 2
  step "$name"
  "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  if [ "$status" -ne 0 ]; then
    failed_suites+=("$name|$log")
    echo "!! $name failed (exit $status)"
  fi
}

# Set-up and builds must succeed for anything else to mean something.
step "set-up"
"$root/scripts/setup.sh" test || { echo "set-up failed"; echo "0 passed, 1 failed"; exit 1; }
suite "build the web UI" "$log_dir/ui-build.build" bash -c "cd ui && npm run build"
suite "build the workspace (server, desktop, tests)" "$log_dir/cargo-build.build" \
  cargo build --workspace --all-targets

suite "Rust tests (unit, contract on SQLite + PostgreSQL, demo, store, desktop shell)" \
  "$log_dir/cargo.log" cargo test --workspace --no-fail-fast
suite "UI component tests" "$log_dir/vitest.log" bash -c "cd ui && npm test"
suite "browser end-to-end test against the server" "$log_dir/browser.log" "$root/scripts/browser-e2e.sh"
suite "desktop window test under Xvfb" "$log_dir/desktop.log" "$root/scripts/desktop-e2e.sh"
suite "benchmark harness, smoke size (the full run is scripts/bench.sh)" "$log_dir/bench.build" \
  "$root/scripts/bench.sh" --smoke

# One closing line over every runner (colour codes stripped first).
for f in "$log_dir"/*; do sed -i 's/\x1b\[[0-9;]*m//g' "$f"; done
counts() {
  # Each grep may find nothing; that must not end the list early.
  { grep -hoE "test result: [a-zA-Z]+\. [0-9]+ passed; [0-9]+ failed" "$1" || true; } | awk '{print $4, $6}'
  { grep -hoE "Tests +([0-9]+ failed \| )?[0-9]+ passed" "$1" || true; } |
    awk '{f = 0; for (i = 1; i <= NF; i++) { if ($(i + 1) == "failed") f = $i; if ($(i + 1) == "passed") p = $i } print p, f}'
  { grep -hoE "^[0-9]+ passed, [0-9]+ failed" "$1" || true; } | awk '{print $1, $3}'
}
passed=0; failed=0
for f in "$log_dir"/*.log; do
  while read -r p q; do passed=$((passed + p)); failed=$((failed + q)); done < <(counts "$f")
done
# A failed suite whose log reports no failure (a build error, a crash, the bench's errors)
# still counts once.
for entry in "${failed_suites[@]+"${failed_suites[@]}"}"; do
  name="${entry%%|*}"; log="${entry#*|}"
  reported=0
  while read -r _ q; do reported=$((reported + q)); done < <(counts "$log")
  if [ "$reported" -eq 0 ]; then
    failed=$((failed + 1))
  fi
  echo "failed: $name"
done
echo
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
