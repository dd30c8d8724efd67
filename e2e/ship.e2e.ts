import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PODMAN_LIMITS, podman as runPodman } from '../tools/workflow-harness/container';
import { WORKSPACE, isolatedNxEnvironment, runNx, taskOutcome } from './support/workspace';

/**
 * "Ship it": the committed fips-python project (built by fips-python.e2e.ts, which runs first) packed with
 * nx run fips-python:package, unpacked at another path and run as another machine (its own host name and machine id,
 * in a UTS and mount namespace), with nothing but the bundle: no Node.js, no Nx, no workspace.
 */
jest.setTimeout(30 * 60 * 1000);

const dist = join(WORKSPACE, 'dist', 'fips-python');
const env = isolatedNxEnvironment();
let packed: { status: number; output: string };
let again: { status: number; output: string };
let tarball: string;
const targets = mkdtempSync(join(tmpdir(), 'fipskit-ship-'));

beforeAll(() => {
  if (!existsSync(join(dist, 'verify', 'report.json'))) {
    const build = runNx(['run', 'fips-python:build'], env);
    if (build.status !== 0) console.log(build.output);
  }
  // The build is fips-python.e2e.ts's: only the package target runs here.
  packed = runNx(['run', 'fips-python:package', '--excludeTaskDependencies'], env);
  if (packed.status !== 0) console.log(packed.output);
  again = runNx(['run', 'fips-python:package', '--excludeTaskDependencies'], env);
  const dir = join(dist, 'package');
  tarball = join(
    dir,
    readdirSync(dir).find((name) => name.endsWith('.tar.gz'))!,
  );
});

afterAll(() => rmSync(targets, { recursive: true, force: true }));

/** A machine of its own: another host name and machine id (a UTS and mount namespace), the same files otherwise. */
function asOtherMachine(hostname: string, script: string, cwd: string): { status: number; output: string } {
  const machineId = join(targets, `${hostname}.machine-id`);
  writeFileSync(machineId, `${hostname.padEnd(32, '0').slice(0, 32)}\n`);
  const inner = `hostname ${hostname} && mount --bind ${machineId} /etc/machine-id && cd "$1" && ${script}`;
  const result = spawnSync('unshare', ['--uts', '--mount', '--propagation', 'private', 'sh', '-c', inner, 'sh', cwd], {
    encoding: 'utf8',
    // Nothing of the workspace: the target knows only the bundle.
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: targets, LANG: 'C.UTF-8' },
  });
  return { status: result.status ?? 1, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

function unpack(where: string): string {
  const dir = join(targets, where);
  mkdirSync(dir, { recursive: true });
  const untar = spawnSync('tar', ['-xzf', tarball, '-C', dir], { encoding: 'utf8' });
  expect(untar.status).toBe(0);
  return join(dir, readdirSync(dir)[0]);
}

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const MD5 = `bin/python3 -c "import hashlib; hashlib.md5(b'x'); print('MD5 COMPUTED')"`;

describe('nx run fips-python:package', () => {
  it('writes a bundle named for the project, Python version, OS and architecture, cached by Nx on what it ships', () => {
    expect(packed.status).toBe(0);
    expect(tarball).toMatch(/\/fips-python-3\.11\.2-linux-x86_64\.tar\.gz$/);
    expect(existsSync(tarball.replace(/\.gz$/, '.zst'))).toBe(true);
    expect(taskOutcome(again.output, 'fips-python:package')).toMatch(/cache|existing outputs/);
    const listing = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).stdout.split('\n');
    for (const file of [
      'bin/fipskit-setup',
      'bin/fipskit-verify',
      'python/bin/python3.11',
      'python/lib/python311.zip',
      'openssl/lib/ossl-modules/fips.so',
      'openssl/bin/openssl',
      'share/fipskit/bundle.json',
      'share/fipskit/sbom.cdx.json',
      'share/fipskit/verify/fipskit_verify.py',
    ]) {
      expect(listing).toContain(`fips-python-3.11.2-linux-x86_64/${file}`);
    }
    // This machine's fipsinstall output never leaves it.
    expect(listing.filter((entry) => /fips-config|fipsmodule\.cnf|openssl\.cnf$/.test(entry))).toEqual([]);
  });
});

describe('the bundle on another machine, with nothing but the bundle', () => {
  let root: string;
  beforeAll(() => {
    root = unpack('target one/opt');
  });

  it('refuses to run before fipskit-setup, naming the command to run', () => {
    const run = asOtherMachine('target-one', MD5, root);
    expect(run.status).not.toBe(0);
    expect(run.output).not.toContain('MD5 COMPUTED');
    expect(run.output).toMatch(
      /FIPS mode is not in force: its FIPS configuration .*fips-config\/openssl\.cnf does not exist: openssl fipsinstall has not run on this machine yet\. Run .*\/bin\/fipskit-setup/,
    );
  });

  it('refuses a FIPS configuration carried over from the build machine', () => {
    cpSync(join(dist, 'fips-config'), join(root, 'fips-config'), { recursive: true });
    const run = asOtherMachine('target-one', MD5, root);
    expect(run.status).not.toBe(0);
    expect(run.output).not.toContain('MD5 COMPUTED');
    expect(run.output).toMatch(/was written by openssl fipsinstall on another machine \(.+\) and copied here.*Run .*\/bin\/fipskit-setup on this machine/s);
    rmSync(join(root, 'fips-config'), { recursive: true });
  });

  it('fipskit-setup runs fipsinstall there; fipskit-verify then proves FIPS mode, TLS included, and names that host', () => {
    const setup = asOtherMachine('target-one', 'bin/fipskit-setup', root);
    expect(setup.output).toContain('FIPS configuration for target-one written to');
    expect(setup.status).toBe(0);
    expect(readFileSync(join(root, 'fips-config', 'fipskit-binding.txt'), 'utf8')).toMatch(/kind=machine\nhost-digest=[0-9a-f]{64}\nhostname=target-one\n/);
    const md5 = asOtherMachine('target-one', MD5, root);
    expect(md5.status).not.toBe(0);
    expect(md5.output).toContain('ValueError: [digital envelope routines] unsupported');
    const verify = asOtherMachine('target-one', 'bin/fipskit-verify', root);
    if (verify.status !== 0) console.log(verify.output);
    expect(verify.status).toBe(0);
    const report = readJson(join(root, 'verify', 'report.json'));
    expect(report).toMatchObject({ passed: true, host: 'target-one', target: { host: 'target-one' }, bundle: { name: 'fips-python-3.11.2-linux-x86_64' } });
    for (const id of [
      'bundle-files-unchanged',
      'fips-provider-active',
      'md5-refused',
      'tls12-handshake',
      'tls13-handshake',
      'start-moved-copy',
      'venv-interpreter',
    ]) {
      expect(report.checks.find((c: { id: string }) => c.id === id)).toMatchObject({ required: true, passed: true });
    }
    // The manifest and the SBOM the target checked the files against are the ones the build packed.
    const sums = readFileSync(join(dist, 'package', 'SHA256SUMS'), 'utf8');
    expect(sums).toContain(`${report.bundle.manifestSha256}  bundle.json`);
    expect(sums).toContain(`${report.bundle.sbomSha256}  sbom.cdx.json`);
    for (const file of ['summary.txt', 'evidence.html', 'evidence.md', 'sbom.cdx.json']) expect(existsSync(join(root, 'verify', file))).toBe(true);
    expect(readFileSync(join(root, 'verify', 'evidence.html'), 'utf8')).toContain('target-one');
  });

  it('the configuration written there is refused on yet another machine', () => {
    const run = asOtherMachine('target-two', MD5, root);
    expect(run.status).not.toBe(0);
    expect(run.output).toMatch(/written by openssl fipsinstall on another machine \(target-one, at /);
  });

  it('one changed byte in a shipped library fails fipskit-verify, naming the file', () => {
    const copy = unpack('tampered');
    const library = join(copy, 'openssl', 'lib', 'libssl.so.3');
    const bytes = readFileSync(library);
    bytes[bytes.length - 100] ^= 0xff;
    writeFileSync(library, bytes);
    expect(asOtherMachine('target-three', 'bin/fipskit-setup --quiet', copy).status).toBe(0);
    const verify = asOtherMachine('target-three', 'bin/fipskit-verify --quiet', copy);
    expect(verify.status).toBe(1);
    const report = readJson(join(copy, 'verify', 'report.json'));
    expect(report.failedRequired).toContain('bundle-files-unchanged');
    expect(report.checks.find((c: { id: string }) => c.id === 'bundle-files-unchanged').detail).toMatch(
      /changed: openssl\/lib\/libssl\.so\.3 \(SHA-256 [0-9a-f]{64}, shipped [0-9a-f]{64}\)/,
    );
    // The SHA-256 it was shipped with is the one the build's SBOM lists for that file.
    const sbom = readJson(join(copy, 'share', 'fipskit', 'sbom.cdx.json'));
    const listed = sbom.components.find((c: { name: string }) => c.name === 'openssl/lib/libssl.so.3');
    expect(report.checks.find((c: { id: string }) => c.id === 'bundle-files-unchanged').detail).toContain(`shipped ${listed.hashes[0].content})`);
  });

  it('a file planted in the shipped Python fails fipskit-verify too', () => {
    const copy = unpack('planted');
    writeFileSync(join(copy, 'python', 'lib', 'fipskit', 'sitecustomize.py'), 'print("planted")\n');
    expect(asOtherMachine('target-four', 'bin/fipskit-setup --quiet', copy).status).toBe(0);
    expect(asOtherMachine('target-four', 'bin/fipskit-verify --quiet', copy).status).toBe(1);
    const report = readJson(join(copy, 'verify', 'report.json'));
    expect(report.checks.find((c: { id: string }) => c.id === 'bundle-files-unchanged').detail).toMatch(/not shipped: python\/lib\/fipskit\/sitecustomize\.py/);
  });
});

/** Debian's podman as the workflow harness runs it here (runc, cgroupfs, limits it may set). */
const PODMAN_RUN = ['run', '--rm', ...PODMAN_LIMITS];
const podman = (args: string[]) => {
  const result = runPodman(args);
  return { ...result, output: `${result.stdout}${result.stderr}` };
};

describe('the full-mode Python as an OCI image, run by a real container runtime', () => {
  // The whole CPython fips-python.e2e.ts built against the same OpenSSL: a bundle that brings its own interpreter.
  const full = join(dist, 'python-full');
  const images: Record<string, { archive: string; reference: string; labels: Record<string, string> }> = {};
  const out = join(targets, 'image-out');

  beforeAll(async () => {
    const { packBundle, normalizePackageOptions } = await import('../packages/fipskit/src/executors/package/executor');
    const { buildImage, normalizeImageOptions } = await import('../packages/fipskit/src/executors/image/executor');
    const { ToolRunner } = await import('../packages/core/src');
    const runner = new ToolRunner();
    const print = (line: string) => process.stdout.write(`${line}\n`);
    const context = { root: WORKSPACE, projectName: 'fips-python-full' };
    await packBundle(
      normalizePackageOptions(
        {
          pythonPath: 'dist/fips-python/python-full',
          opensslPath: 'dist/fips-python/openssl',
          fipsConfigPath: 'dist/fips-python/fips-config',
          outputPath: 'dist/fips-python/package-full',
          zstd: false,
        },
        context,
      ),
      runner,
      print,
    );
    for (const configuration of ['at-start', 'self-test-onload'] as const) {
      images[configuration] = await buildImage(
        normalizeImageOptions(
          {
            packagePath: 'dist/fips-python/package-full',
            outputPath: `dist/fips-python/image-${configuration}`,
            configuration,
            reference: `fipskit/e2e:${configuration}`,
          },
          context,
        ),
        runner,
        print,
      );
      const loaded = podman(['load', '-i', images[configuration].archive]);
      if (loaded.status !== 0) console.log(loaded.output);
    }
    mkdirSync(out, { recursive: true });
  });

  it('carries the provider, its certificate status and the bundle manifest digest as labels', () => {
    expect(existsSync(full)).toBe(true);
    const inspect = podman(['image', 'inspect', 'fipskit/e2e:at-start', '--format', '{{json .Labels}}']);
    expect(inspect.status).toBe(0);
    const labels = JSON.parse(inspect.stdout);
    expect(labels).toMatchObject({ 'dev.fipskit.fips-provider.version': expect.stringMatching(/^3\.0\.\d+$/), 'dev.fipskit.configuration': 'at-start' });
    expect(labels['dev.fipskit.fips-provider.status']).toBe('FIPS-capable, not validated');
    expect(labels['dev.fipskit.bundle.manifest-sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(labels['dev.fipskit.bundle.sbom-sha256']).toBe(
      createHash('sha256')
        .update(readFileSync(join(dist, 'package-full', 'sbom.cdx.json')))
        .digest('hex'),
    );
  });

  it('at-start: the entry point runs fipsinstall in the container; fipskit-verify there passes and names the container', () => {
    const bundleRoot = images['at-start'].labels['dev.fipskit.verify'].replace(/\/bin\/fipskit-verify$/, '');
    const run = podman([
      ...PODMAN_RUN,
      '--hostname',
      'fips-container',
      '-v',
      `${out}:/out`,
      'fipskit/e2e:at-start',
      `${bundleRoot}/bin/fipskit-verify`,
      '--output',
      '/out/at-start',
    ]);
    if (run.status !== 0) console.log(run.output);
    expect(run.status).toBe(0);
    const report = readJson(join(out, 'at-start', 'report.json'));
    expect(report).toMatchObject({ passed: true, host: 'fips-container', target: { host: 'fips-container', container: 'podman' } });
    expect(report.checks.find((c: { id: string }) => c.id === 'tls13-handshake')).toMatchObject({ passed: true });
    const md5 = podman([...PODMAN_RUN, 'fipskit/e2e:at-start', 'python3', '-c', "import hashlib; hashlib.md5(b'x')"]);
    expect(md5.status).not.toBe(0);
    expect(md5.output).toContain('unsupported');
  });

  it('at-start in a read-only container: the entry point refuses to start the command', () => {
    // The command would print STARTED; its own words (START, ED) are in the refusal, the word itself must not be.
    const run = podman([...PODMAN_RUN, '--read-only', 'fipskit/e2e:at-start', 'python3', '-c', "print('START' + 'ED')"]);
    expect(run.status).toBe(70);
    expect(run.output).not.toContain('STARTED');
    expect(run.output).toContain('fipskit-entrypoint: fipskit-setup failed in this container');
  });

  it('self-test-onload: a read-only container is FIPS from its first start, and the evidence says how it was configured', () => {
    const bundleRoot = images['self-test-onload'].labels['dev.fipskit.verify'].replace(/\/bin\/fipskit-verify$/, '');
    const run = podman([
      ...PODMAN_RUN,
      '--read-only',
      '-v',
      `${out}:/out`,
      'fipskit/e2e:self-test-onload',
      `${bundleRoot}/bin/fipskit-verify`,
      '--output',
      '/out/onload',
    ]);
    if (run.status !== 0) console.log(run.output);
    expect(run.status).toBe(0);
    const report = readJson(join(out, 'onload', 'report.json'));
    expect(report.passed).toBe(true);
    expect(readFileSync(join(out, 'onload', 'evidence.md'), 'utf8')).toMatch(/self_test_onload|self-test-onload/);
  });
});

describe('nx run fips-python:image: the overlay bundle on a Debian base with its exact interpreter packages', () => {
  let built: { status: number; output: string };
  beforeAll(() => {
    built = runNx(['run', 'fips-python:image', '--excludeTaskDependencies'], env);
    if (built.status !== 0) console.log(built.output);
  });

  it('installs the interpreter packages the bundle was built against, and fipskit-verify passes in the container', () => {
    expect(built.status).toBe(0);
    const image = readJson(join(dist, 'image', 'image.json'));
    const bundle = readJson(join(dist, 'package', 'bundle.json'));
    expect(podman(['load', '-i', join(dist, 'image', image.archive)]).status).toBe(0);
    const out = join(targets, 'overlay-image');
    mkdirSync(out, { recursive: true });
    const run = podman([...PODMAN_RUN, '-v', `${out}:/out`, image.reference, `/opt/fipskit/${bundle.name}/bin/fipskit-verify`, '--output', '/out']);
    if (run.status !== 0) console.log(run.output);
    expect(run.status).toBe(0);
    expect(readJson(join(out, 'report.json'))).toMatchObject({ passed: true, target: { container: 'podman' } });
    // The same interpreter packages, at the same versions, as on the build machine.
    const versions = podman([
      ...PODMAN_RUN,
      '--entrypoint',
      'dpkg-query',
      image.reference,
      '-W',
      '-f=${Package} ${Version}\\n',
      ...bundle.python.interpreter.packages.map((p: { name: string }) => p.name),
    ]);
    for (const pkg of bundle.python.interpreter.packages) expect(versions.stdout).toContain(`${pkg.name} ${pkg.version}`);
  });
});
