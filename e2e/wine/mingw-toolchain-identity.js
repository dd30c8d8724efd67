#!/usr/bin/env node
// Prints the versions of the tools that shape the Wine test binaries, one "name: version" line each.
// Nx hashes this output as a runtime input of wine-openssl:build, so an upgraded MinGW-w64 compiler,
// binutils, perl or make is a cache miss while another checkout path is not.
'use strict';
const { spawnSync } = require('node:child_process');

const CROSS = 'x86_64-w64-mingw32-';

/** The first non-empty line a program prints for its version, or "not found". */
function firstLine(program, args) {
  const result = spawnSync(program, args, { encoding: 'utf8', windowsHide: true, env: { ...process.env, LC_ALL: 'C' } });
  if (result.error) return 'not found';
  const text = `${result.stdout || ''}\n${result.stderr || ''}`;
  return (
    text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .find(Boolean) || `exit ${result.status}`
  );
}

console.log(
  [
    `gcc: ${firstLine(`${CROSS}gcc`, ['--version'])}`,
    `binutils: ${firstLine(`${CROSS}ld`, ['--version'])}`,
    `perl: ${firstLine('perl', ['-e', 'print "perl $^V\\n"'])}`,
    `make: ${firstLine('make', ['--version'])}`,
  ].join('\n'),
);
