#!/usr/bin/env bash
# Installs what is missing, builds the web UI and opens the ClinicDesk desktop app on its
# embedded SQLite database in demo mode: demo data is seeded on first run and the demo accounts
# (password clinicdesk-demo) log in. CLINICDESK_DEMO=0 scripts/run-desktop.sh starts it as a
# plain install instead (a first run asks for the clinic's administrator).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh" desktop
(cd "$root/ui" && npm run build)
cd "$root"
export CLINICDESK_DEMO="${CLINICDESK_DEMO:-1}"
exec cargo run -p clinicdesk-desktop "$@"
