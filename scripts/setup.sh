#!/usr/bin/env bash
# Installs what ClinicDesk needs on a Debian/Ubuntu machine, idempotently.
#   setup.sh desktop   – build and run the desktop app
#   setup.sh test      – everything the test suite needs (adds PostgreSQL, Chromium, tauri-driver)
set -euo pipefail
mode="${1:-desktop}"
root="$(cd "$(dirname "$0")/.." && pwd)"

sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi

packages=(build-essential pkg-config libssl-dev libdbus-1-dev libwebkit2gtk-4.1-dev librsvg2-dev curl)
if [ "$mode" = "test" ]; then
  packages+=(xvfb xauth webkit2gtk-driver chromium postgresql imagemagick)
fi
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "==> installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -q
  if ! $sudo_cmd apt-get install -y -q "${missing[@]}"; then
    # An interrupted earlier install leaves dpkg half-configured; finish it and retry once.
    $sudo_cmd dpkg --configure -a || true
    $sudo_cmd apt-get install -y -q "${missing[@]}"
  fi
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "!! Rust (cargo) is required: install it with rustup (https://rustup.rs) and re-run." >&2
  exit 1
fi

# The web UI: npm modules from the lock file, reinstalled only when it changed.
lock_stamp="$root/ui/node_modules/.package-lock.stamp"
if [ ! -f "$lock_stamp" ] || ! cmp -s "$root/ui/package-lock.json" "$lock_stamp"; then
  echo "==> npm ci (ui)"
  (cd "$root/ui" && npm ci --no-audit --no-fund)
  cp "$root/ui/package-lock.json" "$lock_stamp"
fi

if [ "$mode" = "test" ]; then
  if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
    echo "==> cargo install tauri-driver"
    cargo install tauri-driver --locked
  fi
  "$root/scripts/postgres.sh"
fi
