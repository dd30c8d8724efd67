import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { machineIdentity } = require('./machine-identity.js') as { machineIdentity: (root: string) => { digest: string } };

const REPO = realpathSync(resolve(__dirname, '..', '..', '..', '..', '..', '..'));

describe('machine identity', () => {
  it('the runtime input, loaded by package name in the workspace root, prints the digest the executor records for that root', () => {
    const printed = execFileSync(process.execPath, ['-r', '@fipskit/fips-config/bin/machine-identity.js', '-e', '0'], { cwd: REPO, encoding: 'utf8' });
    expect(printed).toBe(`${machineIdentity(REPO).digest}\n`);
    expect(machineIdentity(`${REPO}-elsewhere`).digest).not.toBe(machineIdentity(REPO).digest);
  });
});
