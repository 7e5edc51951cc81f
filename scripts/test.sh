#!/usr/bin/env bash
# Runs every test: formatting, clippy on both targets, the native tests, the release build of the
# page, its size budget, and the end-to-end suite in headless Chromium (installing what is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

step() { printf '\n\033[1;34m==> %s\033[0m\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (native, warnings denied)"
cargo clippy --all-targets --locked -- -D warnings

step "cargo clippy (wasm32-unknown-unknown, warnings denied)"
cargo clippy --lib --bins --target wasm32-unknown-unknown --locked -- -D warnings

step "cargo test"
cargo build --locked
cargo test --locked

step "trunk build --release"
trunk build --release

step "bundle size"
./scripts/size-check.sh

step "end-to-end suite (headless Chromium)"
node tests/e2e/run.mjs
