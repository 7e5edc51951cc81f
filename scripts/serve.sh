#!/usr/bin/env bash
# Builds the app and serves it at http://127.0.0.1:8080 (installing what is missing first).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
exec trunk serve --release
