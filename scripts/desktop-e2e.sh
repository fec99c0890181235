#!/usr/bin/env bash
# Real-window smoke test of the desktop app (tests/desktop/smoke.mjs) under a virtual X display.
# Builds nothing and installs nothing: run `cargo build -p clinicdesk-desktop` first (with the
# UI built into ui/dist), and have xvfb-run, WebKitWebDriver (webkit2gtk-driver), tauri-driver
# (cargo install tauri-driver --locked) and Node >= 20 on the machine. Safe to run repeatedly:
# every run uses a fresh temporary data directory and random local ports.
#
#   scripts/desktop-e2e.sh                  # uses target/debug/clinicdesk-desktop
#   CLINICDESK_DESKTOP_BIN=/path/to/bin scripts/desktop-e2e.sh
#   CLINICDESK_E2E_USE_DISPLAY=1 scripts/desktop-e2e.sh   # use the current $DISPLAY instead of Xvfb
#
# The last line printed is `N passed, M failed`; the exit code is non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v node >/dev/null || missing+=("node (Node.js >= 20)")
if [[ -z "${TAURI_DRIVER:-}" ]] && ! command -v tauri-driver >/dev/null && [[ ! -x "$HOME/.cargo/bin/tauri-driver" ]]; then
  missing+=("tauri-driver (cargo install tauri-driver --locked)")
fi
[[ -x "${WEBKIT_DRIVER:-/usr/bin/WebKitWebDriver}" ]] || missing+=("WebKitWebDriver (apt-get install webkit2gtk-driver)")
if [[ "${CLINICDESK_E2E_USE_DISPLAY:-0}" != "1" ]]; then
  command -v xvfb-run >/dev/null || missing+=("xvfb-run (apt-get install xvfb xauth)")
fi
if ((${#missing[@]})); then
  for m in "${missing[@]}"; do echo "desktop-e2e: missing $m" >&2; done
  echo "0 passed, 1 failed"
  exit 1
fi

# The UI must be embedded: a binary built before ui/dist existed shows a placeholder page.
if [[ ! -f ui/dist/index.html ]]; then
  echo "desktop-e2e: warning: ui/dist/index.html does not exist; the binary may embed the placeholder page" >&2
fi

export NO_AT_BRIDGE=1
if [[ "${CLINICDESK_E2E_USE_DISPLAY:-0}" == "1" ]]; then
  exec node tests/desktop/smoke.mjs
fi
# 24-bit colour and room for the 1280×800 window (Xvfb's default screen is 640×480×8).
exec xvfb-run -a -s "-screen 0 1600x1000x24 -nolisten tcp" node tests/desktop/smoke.mjs
