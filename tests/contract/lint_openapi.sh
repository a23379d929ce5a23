#!/bin/sh
# Lints admin-api/openapi.yaml (or the file given) with redocly (tests/npm, pinned; settings in
# tests/npm/redocly.yaml: every finding is an error), then compiles its
# schemas as Prism does (prism_schemas.js). Exits non-zero on any
# finding, and when the tools are missing: scripts/install-deps.sh installs
# them, so a missing tool is a broken machine, not a reason to skip.
set -eu
npm_dir=$(cd "$(dirname "$0")/../npm" && pwd)
doc=${1:-$(cd "$npm_dir/../.." && pwd)/admin-api/openapi.yaml}
if ! command -v node >/dev/null 2>&1; then
  echo "lint_openapi: node not found; run scripts/install-deps.sh" >&2
  exit 2
fi
if [ ! -x "$npm_dir/node_modules/.bin/redocly" ]; then
  echo "lint_openapi: $npm_dir/node_modules/.bin/redocly missing; run scripts/install-deps.sh" >&2
  exit 2
fi
cd "$npm_dir"
# No telemetry or update check: CI runs offline, and the lint must not wait on the network.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
node_modules/.bin/redocly lint --config redocly.yaml --format=stylish "$doc"
# And every schema must compile as Prism compiles it: Prism skips one that
# does not, silently, and the contract check (e2e:contract) would check nothing.
node "$npm_dir/../contract/prism_schemas.js" "$doc"
