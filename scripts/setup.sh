#!/usr/bin/env bash
# Installs whatever kubestep's build and tests need and is missing; quick when all is there.
# Sources: rustup (wasm target, clippy, rustfmt), crates.io (trunk, wasm-bindgen-cli), Debian
# (chromium, chromedriver, etcd), npm (binaryen's wasm-opt, playwright-core). Nothing else is
# downloaded: trunk runs offline and no browser is fetched by npm.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

# Rust: the wasm target and the lint/format components.
installed_targets=$(rustup target list --installed)
if ! grep -qx wasm32-unknown-unknown <<<"$installed_targets"; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
for component in clippy rustfmt; do
  if ! rustup component list --installed | grep -q "^$component"; then
    say "adding rustup component $component"
    rustup component add "$component"
  fi
done

# trunk, exactly 0.21.14 (0.22 needs a newer rustc than this machine has).
TRUNK_VERSION=0.21.14
if [ "$(trunk --version 2>/dev/null || true)" != "trunk $TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (cargo install, several minutes)"
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi

# wasm-bindgen-cli at exactly the wasm-bindgen version in Cargo.lock (a mismatch fails the build).
WBG_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$WBG_VERSION" ]; then
  echo "setup: no wasm-bindgen in Cargo.lock" >&2
  exit 1
fi
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WBG_VERSION" ]; then
  say "installing wasm-bindgen-cli $WBG_VERSION (cargo install, a few minutes)"
  # --locked fails for this crate's published lock file on current toolchains (see ../shared/notes).
  cargo install wasm-bindgen-cli --version "$WBG_VERSION"
fi

# Debian packages: Chromium and its driver for the browser tests, etcd for the differential tests.
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v etcd >/dev/null || missing+=(etcd-server)
command -v etcdctl >/dev/null || missing+=(etcd-client)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

# npm packages from the lock file (binaryen's wasm-opt for trunk, playwright-core for the suite).
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.kubestep-lock; then
  say "installing npm packages from package-lock.json"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.kubestep-lock
fi
