#!/usr/bin/env bash
# Fails when the gzipped assets in dist/ exceed the hard limit (1 MB); prints the total.
set -euo pipefail
cd "$(dirname "$0")/.."
LIMIT=$((1000 * 1000))
total=0
for f in dist/*; do
  [ -f "$f" ] || continue
  size=$(gzip -9 -c "$f" | wc -c)
  printf '  %-48s %8d bytes gzipped\n' "$(basename "$f")" "$size"
  total=$((total + size))
done
printf '  %-48s %8d bytes gzipped (limit %d)\n' "total" "$total" "$LIMIT"
if [ "$total" -gt "$LIMIT" ]; then
  echo "size-check: the page's assets are over the 1 MB gzipped limit" >&2
  exit 1
fi
