#!/usr/bin/env bash
# The one test command (npm test): static checks, lint, the real end-to-end builds, then unit tests.
set -euo pipefail
cd "$(dirname "$0")/.."

export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

echo "== typecheck"
npx tsc -p tsconfig.json --noEmit
echo "== option schemas match their TypeScript types"
node tools/run-ts.js tools/schemas/generate-schemas.ts --check
# @nx/enforce-module-boundaries reads the project graph Nx caches (and skips itself without one): an Nx command first
# brings it up to date, then ESLint checks the whole repository, the files outside any project (e2e/) included.
echo "== lint"
npx nx show projects >/dev/null
npx eslint .
echo "== formatting (Prettier)"
npx prettier --check . --log-level warn
# The e2e suite builds the real FIPS OpenSSL first; the unit tests that run checks against it come after.
echo "== end-to-end tests (real OpenSSL, overlay and full CPython builds, verification)"
npx jest --selectProjects e2e --ci --runInBand
# The same OpenSSL source cross-compiled for Windows (cached by Nx: built once per source and MinGW-w64 toolchain).
echo "== Windows semantics under Wine (MinGW-w64 build of the same OpenSSL: fipsinstall, FIPS config, paths, .cmd scripts)"
npx nx run wine-openssl:build
npx jest --selectProjects wine --ci --runInBand
# The six packages as users get them: built to JavaScript, packed, installed from the tarballs into fresh workspaces.
echo "== published packages (build, pack, install with the lowest, this repository's and the newest Nx 23; init, project, plan, plugin, migration)"
npm run -s pack:packages
npm run -s test:packages
echo "== reference CPython sources for the Windows PCbuild plan tests (Debian's archive)"
node tools/run-ts.js packages/python-pcbuild/src/windows/pcbuild-reference-sources.ts ||
  echo "warning: a reference CPython tarball could not be fetched; the PCbuild plan tests for it are skipped"
# Each project's unit tests (its test target: jest's unit project, that project's files). Afresh, not from Nx's cache:
# some of them check the OpenSSL the end-to-end tests just built in dist/, which no task hash covers. One project at a
# time: each runs jest with its own workers, and some share scratch directories under tmp/.
echo "== unit tests"
npx nx run-many -t test --skip-nx-cache --parallel=1
