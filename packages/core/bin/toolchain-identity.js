#!/usr/bin/env node
// Prints what identifies the tools a stage builds with, one "name: version" line each. Nx hashes
// this output as a runtime input, so a compiler, perl, make or interpreter upgrade is a cache miss
// while a different checkout path or host name is not. Usage:
//   toolchain-identity.js openssl            C compiler, perl, make (Windows: MSVC, perl, nmake/jom, NASM)
//   toolchain-identity.js python [python]    C compiler, and the interpreter the modules are built for
'use strict';
const { spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const windows = process.platform === 'win32';

/** The first non-empty line a program prints for its version, or "not found". */
function firstLine(program, args) {
  const result = spawnSync(program, args, { encoding: 'utf8', windowsHide: true, env: { ...process.env, LC_ALL: 'C' } });
  if (result.error) return 'not found';
  const text = `${result.stdout || ''}\n${result.stderr || ''}`;
  return text.split(/\r?\n/).map((l) => l.trim()).find(Boolean) || `exit ${result.status}`;
}

function compiler() {
  if (windows) {
    // cl prints its banner (with the exact compiler version) when run without arguments.
    return [`cl: ${firstLine('cl', [])}`, `VCToolsVersion: ${process.env.VCToolsVersion || 'unset'}`];
  }
  const cc = (process.env.CC || 'cc').trim().split(/\s+/)[0];
  return [`cc: ${firstLine(cc, ['--version'])}`];
}

function opensslTools() {
  const lines = [...compiler(), `perl: ${firstLine('perl', ['-e', 'print "perl $^V\\n"'])}`];
  if (windows) {
    lines.push(`nmake: ${firstLine('nmake', ['/?'])}`, `jom: ${firstLine('jom', ['/VERSION'])}`, `nasm: ${firstLine('nasm', ['-v'])}`);
  } else {
    lines.push(`make: ${firstLine(process.env.MAKE || 'make', ['--version'])}`);
  }
  return lines;
}

const PROBE = [
  'import sys, sysconfig',
  'print(sys.version.replace("\\n", " "))',
  'print(sysconfig.get_config_var("EXT_SUFFIX") or "")',
  'print(sysconfig.get_paths()["include"])',
  'print(sysconfig.get_config_h_filename())',
].join('\n');

function sha256(file) {
  return existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : 'missing';
}

function pythonTools(interpreter) {
  const lines = compiler();
  if (!interpreter) return lines;
  const result = spawnSync(interpreter, ['-I', '-c', PROBE], { encoding: 'utf8', windowsHide: true });
  if (result.status !== 0) return [...lines, `python: cannot run ${interpreter}`];
  const [version, extSuffix, include, configH] = result.stdout.split(/\r?\n/);
  // The modules are compiled against these headers: a patched interpreter package changes them.
  return [...lines, `python: ${version}`, `ext-suffix: ${extSuffix}`, `Python.h: ${sha256(join(include, 'Python.h'))}`, `pyconfig.h: ${sha256(configH)}`];
}

const [kind, interpreter] = process.argv.slice(2);
const lines = kind === 'openssl' ? opensslTools() : kind === 'python' ? pythonTools(interpreter) : null;
if (!lines) {
  console.error('usage: toolchain-identity.js openssl | python [interpreter]');
  process.exit(2);
}
console.log(lines.join('\n'));
