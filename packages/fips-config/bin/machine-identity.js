#!/usr/bin/env node
// Prints the digest of this machine and workspace path (the working directory, where Nx runs runtime
// inputs) for the fips-config target's cache key. The runtime input loads it by package name, which Node
// resolves from the workspace root like Nx resolves the executors (no node_modules path):
//   node -r @fipskit/fips-config/bin/machine-identity.js -e 0
// and `node machine-identity.js` runs it too.
'use strict';
const { machineIdentity } = require('../src/stage/machine-identity.js');

process.stdout.write(machineIdentity(process.cwd()).digest + '\n');
