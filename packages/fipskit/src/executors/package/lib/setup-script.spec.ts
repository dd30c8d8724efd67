import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shellCommand, shellWord } from './posix-shell';
import { SetupScriptInput, machineIdLines, renderSetupScript } from './setup-script';
import { renderVerifyScript } from './verify-script';
import { stageTargets } from '../../../plugins/stage-targets';

const input: SetupScriptInput = {
  bundleName: 'fp-3.11.2-linux-x86_64',
  paths: {
    openssl: 'openssl',
    fipsConfig: 'fips-config',
    python: 'python',
    layout: { bin: 'bin', lib: 'lib', modules: 'lib/ossl-modules' },
    module: 'lib/ossl-modules/fips.so',
  },
  profile: 'strict',
  securityChecks: true,
};
const overlay: SetupScriptInput = {
  ...input,
  interpreter: {
    path: '/usr/bin/python3.11',
    realPath: '/usr/bin/python3.11',
    version: '3.11.2',
    sha256: 'a'.repeat(64),
    linkedPaths: ['/usr/bin/python3.11', '/usr/lib/python3.11'],
    packages: [{ name: 'python3.11-minimal', version: '3.11.2-6+deb12u6' }],
  },
};

/** `sh -n`: the script parses as POSIX shell (dash, Debian's /bin/sh). */
function parses(script: string): { status: number; output: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'fipskit-script-')), 'script');
  writeFileSync(file, script);
  const result = spawnSync('dash', ['-n', file], { encoding: 'utf8' });
  return { status: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
}

describe('bundle scripts', () => {
  it.each([
    ['plain', 'plain'],
    ['with space', "'with space'"],
    ["it's", "'it'\\''s'"],
    ['@ROOT@/openssl/bin/openssl', '"$root"/openssl/bin/openssl'],
    ['OPENSSL_CONF=@WORK@/a b.cnf', 'OPENSSL_CONF="$work"\'/a b.cnf\''],
    ['$HOME', "'$HOME'"],
    ['', "''"],
  ])('quotes %j as one shell word', (text, word) => {
    expect(shellWord(text)).toBe(word);
    if (!text.includes('@')) expect(spawnSync('dash', ['-c', `printf %s ${word}`], { encoding: 'utf8' }).stdout).toBe(text);
  });

  it('renders a command as env with what it removes and sets, then the program', () => {
    expect(
      shellCommand({ program: '@ROOT@/bin/openssl', args: ['list', '-providers'], env: { OPENSSL_CONF_INCLUDE: undefined, OPENSSL_CONF: '@WORK@/x.cnf' } }),
    ).toBe('env -u OPENSSL_CONF_INCLUDE OPENSSL_CONF="$work"/x.cnf "$root"/bin/openssl list -providers');
  });

  it('fipskit-setup writes fips-config.json as JSON, with the module MAC fipsinstall wrote (run by dash)', () => {
    const script = renderSetupScript(input);
    const block = script.slice(script.indexOf('json_lines() {'), script.indexOf('rm -f "$work/fipsinstall.log" "$work/verify.log"'));
    const work = mkdtempSync(join(tmpdir(), 'fipskit-setup-json-'));
    writeFileSync(join(work, 'fipsinstall.log'), 'INSTALL PASSED\n"quoted" \\ back\n');
    writeFileSync(join(work, 'verify.log'), 'VERIFY PASSED\n');
    writeFileSync(join(work, 'fipsmodule.cnf'), '[fips_sect]\nactivate = 1\nmodule-mac = BD:8C:0E:2E\ninstall-mac = 41:9C\n');
    const run = spawnSync(
      'dash',
      ['-c', `work="$1"; binding=machine; ran_at=2026-12-07T00:00:00Z; host=h; host_digest=${'d'.repeat(64)}\n${block}`, 'sh', work],
      { encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    const manifest = JSON.parse(readFileSync(join(work, 'fips-config.json'), 'utf8'));
    expect(manifest.fipsinstall).toMatchObject({ output: ['INSTALL PASSED', '"quoted" \\ back'], verify: ['VERIFY PASSED'], moduleMac: 'BD:8C:0E:2E' });
  });

  it("fipskit-setup runs the fips-config stage's own fipsinstall and -verify command lines, and parses as POSIX shell", () => {
    const script = renderSetupScript(input);
    expect(parses(script)).toEqual({ status: 0, output: '' });
    expect(script).toContain(
      'env -u OPENSSL_CONF_INCLUDE OPENSSL_CONF="$work"/empty.cnf OPENSSL_MODULES="$root"/openssl/lib/ossl-modules LD_LIBRARY_PATH="$root"/openssl/lib "$root"/openssl/bin/openssl fipsinstall -module "$root"/openssl/lib/ossl-modules/fips.so -out "$work"/fipsmodule.cnf -provider_name fips $extra',
    );
    expect(script).toContain('-in "$work"/fipsmodule.cnf -provider_name fips -verify $extra');
    // The profile's openssl.cnf: strict activates no default provider.
    expect(script).toContain('# FIPS configuration written by fipskit (profile: strict).');
    expect(script).not.toContain('default = default_sect');
    expect(script).toContain('kind=$binding');
    expect(renderSetupScript({ ...input, securityChecks: false })).toContain('-provider_name fips -no_security_checks $extra');
    // A full-mode bundle brings its interpreter: nothing of the target's is checked.
    expect(script).not.toContain('dpkg-query');
  });

  it("an overlay bundle's fipskit-setup refuses a target whose interpreter packages differ, before fipsinstall", () => {
    const script = renderSetupScript(overlay);
    expect(parses(script).status).toBe(0);
    expect(script.indexOf("dpkg-query -W -f='${Version}' python3.11-minimal")).toBeGreaterThan(0);
    expect(script.indexOf('dpkg-query')).toBeLessThan(script.indexOf('fipsinstall -module'));
    expect(script).toContain(
      '[ "$have" = 3.11.2-6+deb12u6 ] || fail "python3.11-minimal is ${have:-not installed} here; this bundle was built against python3.11-minimal 3.11.2-6+deb12u6',
    );
    expect(script).toContain(`[ "$have" = ${'a'.repeat(64)} ]`);
  });

  it("fipskit-verify runs the bundle's own Python isolated, without site and bytecode files", () => {
    const script = renderVerifyScript({ bundleName: 'b', launcher: 'python/bin/python3' });
    expect(parses(script).status).toBe(0);
    expect(script).toContain('exec "$root"/python/bin/python3 -I -S -B "$root/share/fipskit/verify/fipskit_verify_run.py" --bundle "$root" "$@"');
  });
});

describe("fipskit-setup's machine id (run by dash, as /bin/sh is on Debian)", () => {
  const run = (files: string[]) => {
    const script = ['fail() { echo "fipskit-setup: $*" >&2; exit 1; }', ...machineIdLines(files), 'echo "$machine_id"'].join('\n');
    const result = spawnSync('dash', ['-c', script], { encoding: 'utf8' });
    return { status: result.status, id: result.stdout.trim(), error: result.stderr };
  };

  it("takes the machine's own id first, and keeps a random one once where the machine has none", () => {
    const dir = mkdtempSync(join(tmpdir(), 'fipskit-mid-'));
    const files = [join(dir, 'etc', 'machine-id'), join(dir, 'var', 'lib', 'fipskit', 'machine-id')];
    const first = run(files);
    expect(first.status).toBe(0);
    expect(first.id).toMatch(/^[0-9a-f]{32}$/);
    // Kept: the next setup on this machine binds to the same id.
    expect(run(files).id).toBe(first.id);
    expect(readFileSync(files[1], 'utf8')).toBe(`${first.id}\n`);
    mkdirSync(join(dir, 'etc'));
    writeFileSync(files[0], 'systemd-id\n');
    expect(run(files).id).toBe('systemd-id');
  });

  it('without an id and without a place to keep one, setup fails naming the fix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fipskit-mid-'));
    writeFileSync(join(dir, 'var'), 'a file where the directory would go');
    const result = run([join(dir, 'etc', 'machine-id'), join(dir, 'var', 'lib', 'fipskit', 'machine-id')]);
    expect(result.status).toBe(1);
    expect(result.error).toMatch(
      /this machine has no machine id .* could not keep one in .*: without one, a configuration copied to another machine with the same host name would not be noticed\. Run fipskit-setup once as root/,
    );
  });
});

describe('package and image targets', () => {
  const base = {
    outputDir: 'dist/fp',
    openssl: { kind: 'debian' as const },
    python: { kind: 'debian' as const, package: 'python3.11' },
    interpreter: '/usr/bin/python3.11',
    mode: 'overlay' as const,
    profile: 'strict' as const,
  };

  it("key on what is shipped and never on this machine's FIPS configuration", () => {
    const targets = stageTargets({ ...base, platform: 'linux' });
    expect(targets.package.dependsOn).toEqual(['verify']);
    expect(targets.package.options).toEqual({
      pythonPath: 'dist/fp/python',
      opensslPath: 'dist/fp/openssl',
      fipsConfigPath: 'dist/fp/fips-config',
      outputPath: 'dist/fp/package',
      profile: 'strict',
    });
    const inputs = JSON.stringify(targets.package.inputs);
    expect(inputs).toContain('**/build-info.json');
    expect(inputs).toContain('**/fipskit-python.json');
    expect(inputs).not.toMatch(/fips-config\/|fipsmodule|openssl\.cnf|machine-identity/);
    expect(targets.image.dependsOn).toEqual(['package']);
    expect(JSON.stringify(targets.image.inputs)).not.toMatch(/machine-identity|fips-config\//);
  });

  it('a Windows project packs a zip from what passed verify on the build machine, and has no image (container images are Linux)', () => {
    const targets = stageTargets({ ...base, platform: 'win32', mode: 'pcbuild', interpreter: 'C:\\Python311\\python.exe' });
    expect(targets.package.dependsOn).toEqual(['verify']);
    expect(targets.package.metadata?.description).toMatch(/install\.cmd and restore\.cmd into <name>-<version>-win-amd64\.zip/);
    expect(JSON.stringify(targets.package.inputs)).not.toMatch(/machine-identity|fips-config\//);
    expect(targets.image).toBeUndefined();
  });
});
