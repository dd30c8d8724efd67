import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderPosixLauncher } from './launcher';

describe('POSIX launcher', () => {
  it('runs the interpreter with the FIPS variables resolved from its own location, even through a symlink and with spaces', () => {
    const root = mkdtempSync(join(tmpdir(), 'fipskit launcher '));
    const overlay = join(root, 'dist dir', 'python');
    mkdirSync(join(overlay, 'bin'), { recursive: true });
    // A stand-in interpreter that prints what it was given.
    const fake = join(root, "fake python's");
    writeFileSync(fake, '#!/bin/sh\nprintf "%s\\n" "$OPENSSL_CONF" "$OPENSSL_MODULES" "$PYTHONPATH" "${OPENSSL_CONF_INCLUDE-unset}" "$@"\n');
    chmodSync(fake, 0o755);
    const launcher = join(overlay, 'bin', 'python3');
    writeFileSync(
      launcher,
      renderPosixLauncher({ interpreter: fake, overlayLib: 'lib/fipskit', opensslConf: '../fips-config/openssl.cnf', opensslModules: '../openssl/lib/ossl-modules' }),
    );
    chmodSync(launcher, 0o755);
    symlinkSync(launcher, join(overlay, 'bin', 'python'));
    const out = execFileSync(join(overlay, 'bin', 'python3'), ['-c', 'print(1)', 'a b'], {
      env: { PATH: '/usr/bin:/bin', PYTHONPATH: '/user/site', OPENSSL_CONF: '/etc/ssl/openssl.cnf', OPENSSL_CONF_INCLUDE: '/x' },
      encoding: 'utf8',
    }).split('\n');
    expect(out.slice(0, 7)).toEqual([
      `${overlay}/../fips-config/openssl.cnf`,
      `${overlay}/../openssl/lib/ossl-modules`,
      `${overlay}/lib/fipskit:/user/site`,
      'unset',
      '-c',
      'print(1)',
      'a b',
    ]);
  });
});
