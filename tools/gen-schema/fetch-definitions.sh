#!/bin/sh
# Fetches the Kubernetes 1.33.0 OpenAPI definitions (with their x-kubernetes-* extensions) as
# packaged by the PyPI package kubernetes-validate, into tools/gen-schema/target/.
set -eu
cd "$(dirname "$0")"
mkdir -p target/kv
pip download --no-deps --quiet -d target/kv kubernetes-validate==1.37.0
unzip -o -q -j target/kv/kubernetes_validate-1.37.0-py3-none-any.whl \
  'kubernetes_validate/kubernetes-json-schema/v1.33.0-local/_definitions.json' -d target/kv/v1.33.0
echo target/kv/v1.33.0/_definitions.json
