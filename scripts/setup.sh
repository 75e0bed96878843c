#!/usr/bin/env bash
# Installs what building, running and testing Cristallo-RS needs on Debian 12 (run as root).
# Idempotent and quick once done: it only installs what is missing.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

# Desktop shell (Tauri 2 / WebKitGTK) build dependencies, then the e2e test tools
# (docs/platform.md §7).
APT_PACKAGES=(
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev libxdo-dev
  libssl-dev pkg-config build-essential
  xvfb xauth webkit2gtk-driver chromium chromium-driver iproute2
  calculix-ccx
  python3-venv
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

# Node.js and npm run the Tauri CLI of `make package`; a Node.js that is already there (for
# example NodeSource's, which bundles npm and conflicts with Debian's npm) is used as it is.
if ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [[ "$(id -u)" != 0 ]]; then
    SUDO="sudo"
  fi
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  if [[ -x "$HOME/.cargo/bin/cargo" ]]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  else
    echo "setup: cargo is not installed; install the Rust toolchain (rustup) first" >&2
    exit 1
  fi
fi

# rustfmt and clippy for `make test`.
if command -v rustup >/dev/null 2>&1; then
  for component in rustfmt clippy; do
    if ! rustup component list --installed 2>/dev/null | grep -q "^${component}"; then
      rustup component add "$component"
    fi
  done
fi

# WebDriver proxy for the Tauri window (it drives WebKitWebDriver).
if ! command -v tauri-driver >/dev/null 2>&1 && [[ ! -x "$HOME/.cargo/bin/tauri-driver" ]]; then
  cargo install tauri-driver --locked
fi

# The Tauri CLI (npm @tauri-apps/cli@2, pinned in package-lock.json) for `make package`.
if [[ ! -x node_modules/.bin/tauri ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

# The independent readers of the peer tests (tests/peer/README.md): pyarrow in .venv-peer.
if ! .venv-peer/bin/python -c "import pyarrow" >/dev/null 2>&1; then
  python3 -m venv .venv-peer
  .venv-peer/bin/pip install --quiet --disable-pip-version-check -r tests/peer/requirements.txt
fi

echo "setup: done"
