#!/usr/bin/env node
// Prints what identifies the tools a stage builds with, one "name: version" line each. Nx hashes
// this output as a runtime input, so a compiler, perl, make or interpreter upgrade is a cache miss
// while a different checkout path or host name is not. The runtime inputs load it by package name,
// which Node resolves from the workspace root like Nx resolves the executors (no node_modules path):
//   node -r @fipskit/core/bin/toolchain-identity.js -e 0 <arguments>
// and `node toolchain-identity.js <arguments>` runs it too. Arguments:
//   toolchain-identity.js openssl [--cc CC]            C compiler, perl, make (Windows: MSVC, its SDK, perl, nmake/jom, NASM)
//   toolchain-identity.js python [python] [--cc CC]    C compiler, and the interpreter the modules are built for
//   toolchain-identity.js fips-config                  nothing but the fipskit code (the stage runs the prefix's own openssl)
//   toolchain-identity.js package                      nothing but the fipskit code that lays out a bundle and its scripts
//   toolchain-identity.js sources                      nothing but the fipskit code that resolves and locks sources
//   toolchain-identity.js verify python                the interpreter verify starts: its version and binary, its standard
//                                                      library (every file's size, inode and modification time) and what
//                                                      its site directories hold (a .pth file or sitecustomize runs at start)
// --cc is the CC the target declares in its "environment" option (builds never take CC from the environment):
// a launcher in front ("ccache gcc") is named with its version, and the compiler behind it is what is asked.
// Each also names the fipskit code that makes the stage's output (its package and core, tests left out), so
// a fipskit upgrade that changes what a stage writes (openssl.cnf, the Python runtime) is a miss.
'use strict';
const { spawnSync } = require('node:child_process');
const { createRequire } = require('node:module');
const { createHash } = require('node:crypto');
const { existsSync, readFileSync, readdirSync, realpathSync, statSync } = require('node:fs');
const { delimiter, dirname, join, relative } = require('node:path');

const windows = process.platform === 'win32';

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

const LAUNCHERS = new Set(['ccache', 'sccache', 'distcc', 'icecc', 'buildcache']);

/**
 * The MSVC developer environment the build passes on (the headers and libraries cl and link search, and the variables
 * MSBuild reads as properties), as one digest: another SDK or toolset selected by vcvars is another key.
 * Variables naming this user's or this session's places (__VSCMD_*, the pre-vcvars PATH) are not part of it.
 */
function msvcEnvironment() {
  const keyed = /^(INCLUDE|LIB|LIBPATH|EXTERNAL_INCLUDE|IFCPATH|Platform|VS|VC|Windows|UCRT|UniversalCRT|Framework|NETFX|MSBuild|ExtensionSdk)/i;
  const names = Object.keys(process.env).filter((name) => keyed.test(name) && !/^(__|VSCMD_PREINIT|WindowsApps)/i.test(name));
  const hash = createHash('sha256');
  for (const name of names.map((n) => n.toUpperCase()).sort()) {
    const actual = names.find((n) => n.toUpperCase() === name);
    hash.update(`${name}=${process.env[actual]}\0`);
  }
  return `msvc environment: ${hash.digest('hex')}`;
}

/** Where a program name leads on PATH, the way the build's exec finds it, links followed; "not found" when nowhere. */
function programPath(program) {
  const candidates = program.includes('/')
    ? [program]
    : (process.env.PATH || '')
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, program));
  for (const candidate of candidates) {
    try {
      if (statSync(candidate).isFile()) return realpathSync(candidate);
    } catch {
      // not here
    }
  }
  return 'not found';
}

/**
 * The compiler a stage's build runs when its target declares no CC. OpenSSL's Configure names gcc for its Linux
 * targets (cc elsewhere); CPython's configure takes gcc when PATH has one, else cc; the overlay compiles with cc.
 */
function defaultCompiler(kind, interpreter) {
  if (kind === 'openssl') return process.platform === 'linux' ? 'gcc' : 'cc';
  if (interpreter) return 'cc';
  return programPath('gcc') === 'not found' ? 'cc' : 'gcc';
}

function compiler(cc, fallback) {
  if (windows) {
    // cl prints its banner (with the exact compiler version) when run without arguments.
    return [
      `cl: ${firstLine('cl', [])}`,
      `VCToolsVersion: ${process.env.VCToolsVersion || 'unset'}`,
      `WindowsSDKVersion: ${process.env.WindowsSDKVersion || 'unset'}`,
      msvcEnvironment(),
    ];
  }
  const words = (cc || fallback).trim().split(/\s+/).filter(Boolean);
  const lines = [];
  while (words.length > 1 && LAUNCHERS.has(words[0].split('/').pop())) {
    const launcher = words.shift();
    lines.push(`launcher: ${firstLine(launcher, ['--version'])}`);
  }
  const [program, ...args] = words;
  // The version line alone cannot tell two gcc 12.2 builds apart: the program PATH leads to is named too.
  return [`cc: ${firstLine(program, [...args, '--version'])}`, `cc program: ${programPath(program)}`, ...lines];
}

function opensslTools(cc) {
  const lines = [...compiler(cc, defaultCompiler('openssl')), `perl: ${firstLine('perl', ['-e', 'print "perl $^V\\n"'])}`];
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
  'import os; print(os.path.realpath(sys.executable))',
].join('\n');

function sha256(file) {
  return existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : 'missing';
}

/** The packages whose code makes each stage's output, by the name under which their files are hashed. */
const STAGE_PACKAGES = {
  openssl: ['openssl-fips', 'core'],
  'fips-config': ['fips-config', 'core'],
  python: ['python-pcbuild', 'core'],
  package: ['fipskit', 'verify', 'fips-config', 'core'],
  sources: ['core'],
  // The checks and the evidence, and core's CMVP certificate data the verdict is judged against.
  verify: ['verify', 'core'],
};

/** `fipskit` is the entry package; the others are @fipskit/<name>. */
const packageName = (name) => (name === 'fipskit' ? 'fipskit' : `@fipskit/${name}`);

/** A package's files that can shape an output: not its tests, their fixtures, or installed dependencies. */
function codeFiles(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return ['node_modules', '__fixtures__', 'testing'].includes(entry.name) ? [] : codeFiles(path);
      return entry.isFile() && !/\.spec\.[cm]?[jt]s$/.test(entry.name) ? [path] : [];
    });
}

/**
 * The directory of the package the workspace (the working directory) resolves, else the one beside this script.
 * Resolved as from a file in the working directory: a plain require.resolve would find @fipskit/core through Node's
 * self-reference (this script's own package exports its name), whichever copy the workspace holds.
 */
function packageDir(name) {
  for (const from of [process.cwd(), __dirname]) {
    try {
      return dirname(createRequire(join(from, 'noop.js')).resolve(`${packageName(name)}/package.json`));
    } catch {
      // try the next place
    }
  }
  return undefined;
}

function fipskitCode(stage) {
  const hash = createHash('sha256');
  for (const name of STAGE_PACKAGES[stage]) {
    const dir = packageDir(name);
    if (!dir) {
      hash.update(`${packageName(name)}: not found\0`);
      continue;
    }
    for (const file of codeFiles(dir))
      hash
        .update(`${name}/${relative(dir, file).split('\\').join('/')}\0`)
        .update(readFileSync(file))
        .update('\0');
  }
  return `fipskit code: ${hash.digest('hex')}`;
}

function pythonTools(interpreter, cc) {
  const lines = compiler(cc, defaultCompiler('python', interpreter));
  if (!interpreter) return lines;
  const result = spawnSync(interpreter, ['-I', '-c', PROBE], { encoding: 'utf8', windowsHide: true });
  if (result.status !== 0) return [...lines, `python: cannot run ${interpreter}`];
  const [version, extSuffix, include, configH, executable] = result.stdout.split(/\r?\n/);
  // The modules are compiled against these headers, and the overlay copies the binary: a patched interpreter package changes them.
  return [
    ...lines,
    `python: ${version}`,
    `ext-suffix: ${extSuffix}`,
    `Python.h: ${sha256(join(include, 'Python.h'))}`,
    `pyconfig.h: ${sha256(configH)}`,
    `executable: ${sha256(executable)}`,
  ];
}

/**
 * What an interpreter brings to a verify run besides its binary: the standard library by file size, inode and
 * modification time (a package upgrade or an edited module changes them; nothing is read), and the top level of each
 * site directory, where a .pth file or a sitecustomize changes what every start does.
 */
const VERIFY_PROBE = [
  'import hashlib, os, site, sys, sysconfig',
  'def entry(h, path, name):',
  '    try: s = os.stat(path)',
  '    except OSError: return',
  '    h.update(("%s %d %d %d\\0" % (name, s.st_size, s.st_mtime_ns, s.st_ino)).encode())',
  'def tree(top):',
  '    h = hashlib.sha256()',
  '    for root, dirs, files in os.walk(top):',
  '        dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", "test", "site-packages", "dist-packages"))',
  '        for f in sorted(files): entry(h, os.path.join(root, f), os.path.relpath(os.path.join(root, f), top))',
  '    return h.hexdigest()',
  'def level(top):',
  '    h = hashlib.sha256()',
  '    try: names = sorted(os.listdir(top))',
  '    except OSError: return "absent"',
  '    for n in names: entry(h, os.path.join(top, n), n)',
  '    return h.hexdigest()',
  'print(sys.version.replace("\\n", " "))',
  'print(os.path.realpath(sys.executable))',
  'print(tree(sysconfig.get_paths()["stdlib"]))',
  'sites = list(dict.fromkeys(site.getsitepackages() + [site.getusersitepackages()]))',
  'print(" ".join("%s=%s" % (d, level(d)) for d in sites))',
].join('\n');

function verifyTools(interpreter) {
  if (!interpreter) return ['python: none named'];
  const result = spawnSync(interpreter, ['-I', '-S', '-c', VERIFY_PROBE], { encoding: 'utf8', windowsHide: true });
  if (result.status !== 0) return [`python: cannot run ${interpreter}`];
  const [version, executable, stdlib, sites] = result.stdout.split(/\r?\n/);
  return [`python: ${version}`, `executable: ${sha256(executable)}`, `standard library: ${stdlib}`, `site directories: ${sites}`];
}

// Preloaded (-r … -e 0), no script path precedes the arguments.
const args = process.argv.slice(require.main === module ? 2 : 1);
const ccAt = args.indexOf('--cc');
const cc = ccAt >= 0 ? args.splice(ccAt, 2)[1] : undefined;
const [kind, interpreter] = args;
const lines =
  kind === 'openssl'
    ? opensslTools(cc)
    : kind === 'python'
      ? pythonTools(interpreter, cc)
      : kind === 'verify'
        ? verifyTools(interpreter)
        : ['fips-config', 'package', 'sources'].includes(kind)
          ? []
          : null;
if (!lines || (ccAt >= 0 && !cc)) {
  console.error('usage: toolchain-identity.js openssl [--cc CC] | python [interpreter] [--cc CC] | verify python | fips-config | package | sources');
  process.exit(2);
}
console.log([...lines, fipskitCode(kind)].join('\n'));
