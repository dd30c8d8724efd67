import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderActivationScripts } from './activation-scripts';

const tricky = "/srv/it's a \"dir\" $(touch pwned) `x`";
const paths = {
  opensslConf: `${tricky}/fips-config/openssl.cnf`,
  modulesDir: `${tricky}/openssl/lib/ossl-modules`,
  binDir: `${tricky}/openssl/bin`,
  libDir: `${tricky}/openssl/lib`,
};

describe('activation scripts', () => {
  it('fips-env.sh sets every variable to the exact path when sourced by a real POSIX shell', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fipskit-env-'));
    const sh = renderActivationScripts(paths, 'linux').find((s) => s.name === 'fips-env.sh')!;
    writeFileSync(join(dir, 'fips-env.sh'), sh.content);
    const out = execFileSync('/bin/sh', ['-c', '. ./fips-env.sh && printf "%s\\n" "$OPENSSL_CONF" "$OPENSSL_MODULES" "$LD_LIBRARY_PATH" "$PATH"'], {
      cwd: dir,
      env: { PATH: '/usr/bin:/bin', LD_LIBRARY_PATH: '/old' },
      encoding: 'utf8',
    }).split('\n');
    expect(out.slice(0, 4)).toEqual([paths.opensslConf, paths.modulesDir, `${paths.libDir}:/old`, `${paths.binDir}:/usr/bin:/bin`]);
  });

  it('writes .sh and .ps1 on POSIX, .cmd and .ps1 on Windows', () => {
    expect(renderActivationScripts(paths, 'linux').map((s) => s.name)).toEqual(['fips-env.sh', 'fips-env.ps1']);
    expect(renderActivationScripts({ ...paths, opensslConf: 'C:\\o\\openssl.cnf', binDir: 'C:\\b', modulesDir: 'C:\\m', libDir: 'C:\\l' }, 'win32').map((s) => s.name)).toEqual([
      'fips-env.cmd',
      'fips-env.ps1',
    ]);
  });

  it('uses DYLD_LIBRARY_PATH on macOS and PATH (bin holds the DLLs) on Windows', () => {
    expect(renderActivationScripts(paths, 'darwin')[0].content).toContain('export DYLD_LIBRARY_PATH=');
    const win = renderActivationScripts(
      { opensslConf: 'C:\\Program Files\\100% fips\\openssl.cnf', modulesDir: 'C:\\p\\lib\\ossl-modules', binDir: 'C:\\p & q\\bin', libDir: 'C:\\p\\lib' },
      'win32',
    );
    const cmd = win.find((s) => s.name === 'fips-env.cmd')!.content;
    expect(cmd).toContain('@set "OPENSSL_CONF=C:\\Program Files\\100%% fips\\openssl.cnf"\r\n');
    expect(cmd).toContain('@set "PATH=C:\\p & q\\bin;%PATH%"');
    const ps1 = win.find((s) => s.name === 'fips-env.ps1')!.content;
    expect(ps1).toContain("$env:PATH = 'C:\\p & q\\bin;' + $env:PATH");
    expect(ps1).not.toContain('LD_LIBRARY_PATH');
  });

  it('escapes single quotes for PowerShell', () => {
    const ps1 = renderActivationScripts(paths, 'linux').find((s) => s.name === 'fips-env.ps1')!.content;
    expect(ps1).toContain(`$env:OPENSSL_CONF = '/srv/it''s a "dir" $(touch pwned) \`x\`/fips-config/openssl.cnf'`);
  });

  it('refuses paths with line breaks', () => {
    expect(() => renderActivationScripts({ ...paths, binDir: '/a\nexport X=1' }, 'linux')).toThrow(/line break/);
  });
});
