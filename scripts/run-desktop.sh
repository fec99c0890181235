#!/usr/bin/env bash
# Installs what is missing, builds the web UI and opens the ClinicDesk desktop app on its
# embedded SQLite database (demo data is seeded on first run).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh" desktop
(cd "$root/ui" && npm run build)
cd "$root"
exec cargo run -p clinicdesk-desktop "$@"
