import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

type HostIdentity = { digest: string; machineIdKnown: boolean };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bindingHostIdentity, hostIdentity, machineIdentity } = require('./machine-identity.js') as {
  machineIdentity: (root: string, files?: string[]) => { digest: string };
  hostIdentity: (files?: string[]) => HostIdentity;
  bindingHostIdentity: (files?: string[]) => HostIdentity;
};

const REPO = realpathSync(resolve(__dirname, '..', '..', '..', '..'));

describe('machine identity', () => {
  it('the runtime input, loaded by package name in the workspace root, prints the digest the executor records for that root', () => {
    const printed = execFileSync(process.execPath, ['-r', '@fipskit/fips-config/bin/machine-identity.js', '-e', '0'], { cwd: REPO, encoding: 'utf8' });
    expect(printed).toBe(`${machineIdentity(REPO).digest}\n`);
    expect(machineIdentity(`${REPO}-elsewhere`).digest).not.toBe(machineIdentity(REPO).digest);
  });
});

(process.platform === 'linux' ? describe : describe.skip)('the host identity a FIPS configuration is bound to, on a machine without a machine id', () => {
  it('keeps a random id once, and binds to it from then on; a machine id of its own comes first', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fipskit-mid-'));
    const files = [join(dir, 'etc', 'machine-id'), join(dir, 'dbus', 'machine-id'), join(dir, 'fipskit', 'machine-id')];
    expect(hostIdentity(files).machineIdKnown).toBe(false);
    const bound = bindingHostIdentity(files);
    expect(bound.machineIdKnown).toBe(true);
    expect(readFileSync(files[2], 'utf8')).toMatch(/^[0-9a-f]{32}\n$/);
    expect(bindingHostIdentity(files).digest).toBe(bound.digest);
    // What the runtime and the cache key read from then on: the same digest.
    expect(hostIdentity(files).digest).toBe(bound.digest);
    mkdirSync(join(dir, 'etc'));
    writeFileSync(files[0], 'systemd-id\n');
    expect(bindingHostIdentity(files).digest).not.toBe(bound.digest);
  });

  it('the cache key of a machine without an id matches no other run (same host name, no id: a fresh container), then is stable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fipskit-mid-'));
    const files = [join(dir, 'etc', 'machine-id'), join(dir, 'fipskit', 'machine-id')];
    expect(machineIdentity(REPO, files).digest).not.toBe(machineIdentity(REPO, files).digest);
    bindingHostIdentity(files);
    expect(machineIdentity(REPO, files).digest).toBe(machineIdentity(REPO, files).digest);
  });

  it('refuses, naming the fix, when there is no id and nowhere to keep one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fipskit-mid-'));
    writeFileSync(join(dir, 'fipskit'), 'a file where the directory would go');
    expect(() => bindingHostIdentity([join(dir, 'etc', 'machine-id'), join(dir, 'fipskit', 'machine-id')])).toThrow(
      /This machine has no machine id .* could not keep one in .*fipskit\/machine-id \(E\w+\): .* systemd-machine-id-setup/,
    );
  });
});
