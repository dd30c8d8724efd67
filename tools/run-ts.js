#!/usr/bin/env node
// Runs a repo tool written in TypeScript without a build step:
//   node tools/run-ts.js <file.ts> [args...]
// The root tsconfig.json is read whatever the working directory, so `@fipskit/*` paths resolve.
const path = require('node:path');
const Module = require('node:module');
const { register } = require('@swc-node/register/register');
const { readDefaultTsConfig } = require('@swc-node/register/read-default-tsconfig');

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node tools/run-ts.js <file.ts> [args...]');
  process.exit(2);
}

register(readDefaultTsConfig(path.join(__dirname, '..', 'tsconfig.json')));

// Run the file as the main module, so `require.main === module` holds in it and it sees only its own args.
process.argv = [process.argv[0], path.resolve(entry), ...args];
Module.runMain();
