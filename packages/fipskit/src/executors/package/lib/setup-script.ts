import { posix } from 'node:path';
import {
  BINDING_FILE,
  EMPTY_CONF_CONTENT,
  FIPS_SECTION,
  FipsInstallPaths,
  FipsProfile,
  fipsInstallCommand,
  fipsInstallVerifyCommand,
  providerListCommand,
  renderOpenSslCnf,
} from '@fipskit/core';
import { ROOT, WORK, shellCommand, shellWord } from './posix-shell';

/** What the overlay bundle needs of the target's own interpreter: the files it links to, from these packages. */
export interface InterpreterRequirement {
  /** The interpreter the bundle's Python is a copy of (`/usr/bin/python3.11`), and its real file. */
  path: string;
  realPath: string;
  version: string;
  /** SHA-256 of the real interpreter on the build machine: compared where the target has no package database. */
  sha256: string;
  /** The targets of the overlay's links into the interpreter's installation (standard library, headers, site-packages). */
  linkedPaths: string[];
  /** The Debian packages that own those files, with the exact versions the bundle was built against. */
  packages: Array<{ name: string; version: string }>;
}

/** Where the parts of the bundle are, relative to its root, `/`-separated. */
export interface BundlePaths {
  openssl: string;
  fipsConfig: string;
  python: string;
  /** Relative to the OpenSSL prefix (build-info.json's layout). */
  layout: { bin: string; lib: string; modules: string };
  /** The FIPS module, relative to the prefix. */
  module: string;
}

export interface SetupScriptInput {
  bundleName: string;
  paths: BundlePaths;
  profile: FipsProfile;
  securityChecks: boolean;
  /** Overlay bundles only. */
  interpreter?: InterpreterRequirement;
}

/** A marker openssl.cnf's FIPS section takes the place of, so that the rest comes from the stages' renderOpenSslCnf. */
const SECTION_MARKER = '@@FIPSKIT_FIPS_SECTION@@';

const rooted = (relative: string) => `${ROOT}/${relative}`;

/**
 * bin/fipskit-setup: a POSIX shell script that needs only the bundle (and sh, sed, grep, uname, sha256sum or the
 * bundle's openssl). It checks that the target can run the bundle, runs `openssl fipsinstall` on this machine with the
 * same command lines as the fips-config stage, writes openssl.cnf for the profile, binds the configuration to this
 * machine (or, with --self-test-onload, to nothing: self-tests at every load), proves the FIPS provider activates and
 * only then replaces the configuration a previous run wrote.
 */
export function renderSetupScript(input: SetupScriptInput): string {
  const { paths } = input;
  const prefix = (relative: string) => rooted(posix.join(paths.openssl, relative));
  const work = WORK;
  const fipsPaths: FipsInstallPaths = {
    openssl: prefix(posix.join(paths.layout.bin, 'openssl')),
    module: prefix(paths.module),
    libDir: prefix(paths.layout.lib),
    binDir: prefix(paths.layout.bin),
    modulesDir: prefix(paths.layout.modules),
    emptyConf: `${work}/empty.cnf`,
  };
  const context = { platform: 'linux' as const, parentEnv: {} };
  const settings = { securityChecks: input.securityChecks };
  // The stages' own command builders: the target runs what the fips-config stage runs on the build machine.
  const line = shellCommand;
  const install = line(fipsInstallCommand(fipsPaths, context, `${work}/fipsmodule.cnf`, work, settings));
  const verify = line(fipsInstallVerifyCommand(fipsPaths, context, `${work}/fipsmodule.cnf`, work, settings));
  const list = line(providerListCommand(fipsPaths, context, `${work}/openssl.cnf`, work));
  const [head, tail] = renderOpenSslCnf(SECTION_MARKER, input.profile).split(SECTION_MARKER);
  const sha256sum = line({
    program: fipsPaths.openssl,
    args: ['dgst', '-sha256', '-r'],
    env: { OPENSSL_CONF: `${work}/empty.cnf`, OPENSSL_MODULES: fipsPaths.modulesDir, OPENSSL_CONF_INCLUDE: undefined },
  });
  return [
    '#!/bin/sh',
    `# fipskit-setup for the bundle ${input.bundleName}: runs openssl fipsinstall on THIS machine and writes its FIPS`,
    "# configuration into the bundle, as OpenSSL's FIPS security policy requires on every machine that uses the module.",
    '# Written by fipskit; it needs nothing but this bundle. Run it again after moving the bundle to another machine.',
    'set -eu',
    'umask 022',
    'root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd -P)',
    `conf_dir="$root"/${shellWord(paths.fipsConfig)}`,
    '',
    'usage() {',
    "  cat <<'USAGE'",
    'Usage: fipskit-setup [--self-test-onload] [--quiet]',
    '',
    "Runs openssl fipsinstall on this machine (the FIPS module's self-tests and its MAC) and writes the FIPS",
    "configuration the bundle's Python and openssl use, bound to this machine: copied to another machine, it is refused.",
    '',
    "  --self-test-onload  write a configuration that depends on the module's bytes alone (fipsinstall -self_test_onload):",
    '                      the self-tests run at every load instead of once here, and it is not bound to this machine.',
    '                      For images and read-only targets; a run here is the strict reading of the security policy.',
    '  --quiet             print only errors',
    'USAGE',
    '}',
    'binding=machine',
    'quiet=0',
    'while [ $# -gt 0 ]; do',
    '  case "$1" in',
    '    --self-test-onload) binding=self-test-onload ;;',
    '    --quiet) quiet=1 ;;',
    '    -h|--help) usage; exit 0 ;;',
    '    *) printf \'fipskit-setup: unknown option %s\\n\' "$1" >&2; usage >&2; exit 2 ;;',
    '  esac',
    '  shift',
    'done',
    'say() { [ "$quiet" = 1 ] || printf \'fipskit-setup: %s\\n\' "$*"; }',
    'fail() { printf \'fipskit-setup: %s\\n\' "$*" >&2; exit 1; }',
    '',
    ...interpreterCheck(input.interpreter),
    '# Never replace a directory fipskit-setup did not write.',
    `if [ -e "$conf_dir" ] && [ ! -f "$conf_dir"/${BINDING_FILE} ]; then`,
    '  fail "$conf_dir exists and was not written by fipskit-setup: move it away (the bundle writes its FIPS configuration there) and run again."',
    'fi',
    '# Scratch space beside the configuration: the finished one replaces the old in one rename.',
    'work="$conf_dir.new.$$"',
    'trap \'rm -rf "$work"\' EXIT',
    'rm -rf "$work"',
    'mkdir -p "$work"',
    `printf '%s' ${shellWord(EMPTY_CONF_CONTENT)} > "$work/empty.cnf"`,
    'say "openssl fipsinstall on $(uname -n): self-tests and module MAC"',
    'extra=',
    'if [ "$binding" = self-test-onload ]; then extra=-self_test_onload; fi',
    `if ! ${install} $extra > "$work/fipsinstall.log" 2>&1; then`,
    '  cat "$work/fipsinstall.log" >&2',
    '  fail "openssl fipsinstall failed (its output is above): the FIPS module did not pass its self-tests on this machine, or it was changed after the build. Do not use this bundle here; check its files with bin/fipskit-verify."',
    'fi',
    `if ! ${verify} $extra > "$work/verify.log" 2>&1; then`,
    '  cat "$work/verify.log" >&2',
    '  fail "openssl fipsinstall -verify refused the configuration it just wrote (its output is above)."',
    'fi',
    `# openssl.cnf for profile ${input.profile}: the stages' text, with this machine's [${FIPS_SECTION}] written into it.`,
    `section=$(sed -n '/^\\[${FIPS_SECTION}\\]/,$p' "$work/fipsmodule.cnf" | grep -v '^[[:space:]]*#' | grep -v '^[[:space:]]*$')`,
    `if printf '%s\\n' "$section" | sed 1d | grep -qv '^[a-z][a-z0-9-]*[[:space:]]*=[[:space:]]*[A-Za-z0-9:_]*$' ||`,
    `  ! printf '%s\\n' "$section" | grep -q '^module-mac[[:space:]]*='; then`,
    '  fail "openssl fipsinstall wrote an unexpected section; refusing to use it: $section"',
    'fi',
    `{ printf '%s' ${shellWord(head)}; printf '%s' "$section"; printf '%s' ${shellWord(tail)}; } > "$work/openssl.cnf"`,
    '# This machine, as the FIPS Python checks it at every start.',
    ...machineIdLines(),
    'host=$(uname -n)',
    'if command -v sha256sum >/dev/null 2>&1; then',
    '  host_digest=$(printf \'%s\\n%s\\n%s\' "$machine_id" "$host" linux | sha256sum | cut -d\' \' -f1)',
    'else',
    `  host_digest=$(printf '%s\\n%s\\n%s' "$machine_id" "$host" linux | ${sha256sum} | cut -d' ' -f1)`,
    'fi',
    'ran_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)',
    '{',
    `  echo '# fipskit: the machine this FIPS configuration belongs to (openssl fipsinstall ran there). Do not copy it to another machine.'`,
    '  echo "kind=$binding"',
    '  if [ "$binding" = machine ]; then echo "host-digest=$host_digest"; fi',
    '  echo "hostname=$host"',
    '  echo "ran-at=$ran_at"',
    `} > "$work/${BINDING_FILE}"`,
    ...manifestWriter(input),
    'say "checking that the new configuration activates the FIPS provider"',
    `if ! ${list} > "$work/providers.log" 2>&1 || ! awk '/^  fips$/ {p=1; next} /^  [^ ]/ {p=0} p && /status: active/ {found=1} END {exit !found}' "$work/providers.log"; then`,
    '  cat "$work/providers.log" >&2',
    '  fail "the FIPS provider is not active with the new configuration (openssl list -providers said the above)."',
    'fi',
    'rm -f "$work/empty.cnf" "$work/providers.log"',
    'rm -rf "$conf_dir"',
    'mv "$work" "$conf_dir"',
    'trap - EXIT',
    'if [ "$binding" = machine ]; then',
    '  say "FIPS configuration for $host written to $conf_dir; it belongs to this machine only."',
    'else',
    '  say "FIPS configuration written to $conf_dir with -self_test_onload: the module\'s self-tests run at every load."',
    'fi',
    'say "Next: $root/bin/fipskit-verify proves FIPS mode here."',
    '',
  ].join('\n');
}

/** Overlay bundles: the target's interpreter must be the exact one the bundle was built against. */
function interpreterCheck(interpreter: InterpreterRequirement | undefined): string[] {
  if (!interpreter) return [];
  const fix = `install exactly that version, or build the bundle on a machine like this one (a mode full bundle brings its own interpreter)`;
  return [
    `# This overlay bundle runs the interpreter installation of ${interpreter.path} (Python ${interpreter.version}): it must be the`,
    '# one the bundle was built against, or its _ssl and _hashlib would not fit the standard library they load into.',
    ...interpreter.linkedPaths.map(
      (path) =>
        `[ -e ${shellWord(path)} ] || fail ${shellWord(`${path} does not exist: this bundle puts ${interpreter.path} (Python ${interpreter.version}) into FIPS mode and needs that interpreter installed (${interpreter.packages.map((p) => `${p.name} ${p.version}`).join(', ') || 'the same build'}).`)}`,
    ),
    'if command -v dpkg-query >/dev/null 2>&1; then',
    ...interpreter.packages.flatMap((pkg) => [
      `  have=$(dpkg-query -W -f='\${Version}' ${shellWord(pkg.name)} 2>/dev/null || true)`,
      `  [ "$have" = ${shellWord(pkg.version)} ] || fail "${pkg.name} is \${have:-not installed} here; this bundle was built against ${pkg.name} ${pkg.version}: ${fix}."`,
    ]),
    'else',
    `  have=$(sha256sum ${shellWord(interpreter.realPath)} 2>/dev/null | cut -d' ' -f1 || true)`,
    `  [ "$have" = ${shellWord(interpreter.sha256)} ] || fail ${shellWord(`${interpreter.realPath} is not the interpreter this bundle was built against (SHA-256 ${interpreter.sha256}): ${fix}.`)}`,
    'fi',
    '',
  ];
}

/** fips-config.json, as the fips-config stage writes it: what the evidence reports about the fipsinstall run. */
function manifestWriter(input: SetupScriptInput): string[] {
  return [
    "json_lines() { tr -d '\\000-\\010\\011\\013-\\037' < \"$1\" | sed -e 's/\\\\/\\\\\\\\/g' -e 's/\"/\\\\\"/g' -e 's/^/      \"/' -e 's/$/\",/' | sed '$ s/,$//'; }",
    '{',
    '  echo "{"',
    `  echo '  "profile": "${input.profile}",'`,
    `  echo '  "securityChecks": ${input.securityChecks},'`,
    '  echo "  \\"binding\\": \\"$binding\\","',
    '  echo "  \\"fipsinstall\\": {"',
    '  echo "    \\"ranAt\\": \\"$ran_at\\","',
    '  echo "    \\"hostname\\": \\"$host\\","',
    '  echo "    \\"machineDigest\\": \\"$host_digest\\","',
    '  echo "    \\"hostDigest\\": \\"$host_digest\\","',
    '  echo "    \\"output\\": ["; json_lines "$work/fipsinstall.log"; echo "    ],"',
    '  echo "    \\"verify\\": ["; json_lines "$work/verify.log"; echo "    ],"',
    '  echo "    \\"moduleMac\\": \\"$(sed -n \'s/^[[:space:]]*module-mac[[:space:]]*=[[:space:]]*\\([0-9A-Fa-f:]*\\)[[:space:]]*$/\\1/p\' "$work/fipsmodule.cnf" | head -n 1)\\""',
    '  echo "  },"',
    `  echo '  "files": ["fipsmodule.cnf", "openssl.cnf", "${BINDING_FILE}"]'`,
    '  echo "}"',
    '} > "$work/fips-config.json"',
    'rm -f "$work/fipsinstall.log" "$work/verify.log"',
  ];
}

/** Where the machine id is read, in the runtime's order; fipskit keeps one in the last when the machine has none. */
export const MACHINE_ID_FILES = ['/etc/machine-id', '/var/lib/dbus/machine-id', '/var/lib/fipskit/machine-id'];

/**
 * Shell lines that set `machine_id`: the machine's own id, or one fipskit keeps (random, created once, never replaced)
 * on a machine without one (a minimal container, a chroot), so two machines with one host name never look the same.
 * Without an id and without a way to keep one, setup fails with the fix. `fail` is the script's own.
 */
export function machineIdLines(files: string[] = MACHINE_ID_FILES): string[] {
  const kept = files[files.length - 1];
  const dir = kept.slice(0, kept.lastIndexOf('/')) || '/';
  return [
    'machine_id=',
    `for f in ${files.map(shellWord).join(' ')}; do`,
    '  if [ -z "$machine_id" ] && [ -r "$f" ]; then machine_id=$(tr -d \'[:space:]\' < "$f"); fi',
    'done',
    'if [ -z "$machine_id" ]; then',
    "  new_id=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \\n')",
    // noclobber: a setup running at the same time that wrote it first wins, and both read the same id.
    `  mkdir -p ${shellWord(dir)} 2>/dev/null && (set -C; printf '%s\\n' "$new_id" > ${shellWord(kept)}) 2>/dev/null`,
    `  if [ -r ${shellWord(kept)} ]; then machine_id=$(tr -d '[:space:]' < ${shellWord(kept)}); fi`,
    `  [ -n "$machine_id" ] || fail ${shellWord(
      `this machine has no machine id (${files.slice(0, -1).join(', ')}) and fipskit-setup could not keep one in ${kept}: without one, a configuration copied to another machine with the same host name would not be noticed. ` +
        'Run fipskit-setup once as root, or give the machine an id (systemd-machine-id-setup, or dbus-uuidgen --ensure=/etc/machine-id).',
    )}`,
    'fi',
  ];
}
