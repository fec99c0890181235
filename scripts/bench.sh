#!/usr/bin/env bash
# ClinicDesk benchmark (issue 3): latency per endpoint on three transports (in-process Router
# on SQLite, server over HTTP on SQLite and on PostgreSQL), server throughput, and the
# desktop app's start-up time and memory under Xvfb. Report: bench-results/bench-N.md + .json
# (the Markdown is also printed).
#
#   scripts/bench.sh                      # full run: release build, 100,000 customers
#   CUSTOMERS=20000 scripts/bench.sh      # another size
#   scripts/bench.sh --smoke              # CI: debug build, 300 customers, small counts (~1 min once built)
#   scripts/bench.sh --no-desktop …       # any further arguments go to clinicdesk-bench
#   scripts/bench.sh --analytics-only     # only the analytics suite (issue 11; docs/ANALYTICS.md)
#
# The data sets are built once and reused: bench-data/clinicdesk-N.sqlite and the PostgreSQL
# database clinicdesk_bench_N (100k customers take a few minutes on each database).
# Needs: Rust, Node (for the UI build), PostgreSQL (scripts/setup.sh test installs it),
# xvfb-run, WebKitWebDriver and tauri-driver for the desktop part (skipped with a note if
# missing). Exit code: non-zero when any call failed or a phase could not run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"

smoke=0
if [[ "${1:-}" == "--smoke" ]]; then
  smoke=1
  shift
fi
target_dir="${CARGO_TARGET_DIR:-$root/target}"
export CLINICDESK_BENCH_PG_URL="${CLINICDESK_BENCH_PG_URL:-postgres://clinicdesk:clinicdesk@127.0.0.1:5432/postgres}"

step() { echo "==> $*" >&2; }

# The desktop binary embeds ui/dist at compile time.
if [[ "$smoke" == 1 ]]; then
  if [[ ! -f ui/dist/index.html ]]; then
    step "build the web UI"
    (cd ui && npm run build) >&2
  fi
  step "build (debug): server, desktop, bench"
  cargo build -p clinicdesk-server -p clinicdesk-desktop -p clinicdesk-bench >&2
  profile=debug
  # The analytics suite's smoke: one cold write per figure, one call per chart, one run of
  # each pure core, k-means on twice the rows (its debug build is slow).
  args=(--customers "${CUSTOMERS:-300}" --calls 50 --warmup 10 --duration-secs 2 --concurrency 4
    --cold-repeats 1 --chart-calls 1 --micro-reps 1 --kmeans-multiplier 2)
else
  step "build the web UI"
  (cd ui && npm run build) >&2
  step "build (release): server, desktop, bench"
  cargo build --release -p clinicdesk-server -p clinicdesk-desktop -p clinicdesk-bench >&2
  profile=release
  args=(--customers "${CUSTOMERS:-100000}")
fi

step "PostgreSQL"
if ! "$root/scripts/postgres.sh" >&2; then
  echo "bench: PostgreSQL could not be started; run with --no-postgres to leave it out" >&2
  exit 1
fi
if [[ "$smoke" == 1 ]]; then
  # The smoke data set takes a second to build: build it fresh, so it always has the current
  # schema and nothing left over from an earlier run can change the result.
  n="${CUSTOMERS:-300}"
  for f in "clinicdesk-$n.sqlite" "clinicdesk-$n.access.db"; do
    rm -f "$root/bench-data/$f" "$root/bench-data/$f-wal" "$root/bench-data/$f-shm"
  done
  psql "$CLINICDESK_BENCH_PG_URL" -qc "DROP DATABASE IF EXISTS clinicdesk_bench_$n" >&2
fi

bench="$target_dir/$profile/clinicdesk-bench"
step "run $bench ${args[*]} $*"
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]] && command -v xvfb-run >/dev/null; then
  # A virtual display for the desktop window (24-bit, room for the 1280×800 window).
  export NO_AT_BRIDGE=1
  exec xvfb-run -a -s "-screen 0 1600x1000x24 -nolisten tcp" "$bench" "${args[@]}" "$@"
fi
exec "$bench" "${args[@]}" "$@"
