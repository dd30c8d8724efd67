#!/usr/bin/env bash
# The one test command (npm test): static checks, unit tests, then the real end-to-end builds.
set -euo pipefail
cd "$(dirname "$0")/.."

export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

echo "== typecheck"
npx tsc -p tsconfig.json --noEmit
echo "== option schemas match their TypeScript types"
node tools/run-ts.js tools/schemas/generate-schemas.ts --check
echo "== unit tests"
npx jest --selectProjects unit --ci
echo "== end-to-end tests (real OpenSSL build)"
npx jest --selectProjects e2e --ci --runInBand
