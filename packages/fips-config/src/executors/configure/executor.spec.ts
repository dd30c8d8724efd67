import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { createHash } from 'node:crypto';
import { Command, RecordingRunner, providerIsActive } from '@fipskit/core';
import fipsConfigExecutor from './executor';

const LIST_OUTPUT = [
  'Providers:',
  '  base',
  '    name: OpenSSL Base Provider',
  '    version: 3.0.22',
  '    status: active',
  '  fips',
  '    name: OpenSSL FIPS Provider',
  '    version: 3.0.22',
  '    status: active',
];

const MODULE_BYTES = 'module bytes';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function fakePrefix(root: string, artifacts: Record<string, string> = { 'lib/ossl-modules/fips.so': sha256(MODULE_BYTES) }) {
  const prefix = join(root, 'dist', 'p', 'openssl');
  mkdirSync(join(prefix, 'lib', 'ossl-modules'), { recursive: true });
  writeFileSync(join(prefix, 'lib', 'ossl-modules', 'fips.so'), MODULE_BYTES);
  writeFileSync(
    join(prefix, 'build-info.json'),
    JSON.stringify({
      version: '3.0.22',
      platform: 'linux',
      fipsProvider: { version: '3.0.22', validated: false, status: 'FIPS-capable, not validated', module: 'lib/ossl-modules/fips.so' },
      layout: { bin: 'bin', lib: 'lib', modules: 'lib/ossl-modules', include: 'include', openssldir: 'ssl' },
      artifacts,
    }),
  );
  return prefix;
}

function setup(listOutput = LIST_OUTPUT) {
  const root = mkdtempSync(join(tmpdir(), 'fipskit-cfg-'));
  const prefix = fakePrefix(root);
  const runner = new RecordingRunner()
    .respond((c) => c.args[0] === 'fipsinstall' && c.args.includes('-out'), {
      output: ['INSTALL PASSED'],
      effect: (c: Command) => writeFileSync(c.args[c.args.indexOf('-out') + 1], '[fips_sect]\nactivate = 1\nmodule-mac = AB\n'),
    })
    .respond((c) => c.args[0] === 'fipsinstall', { output: ['VERIFY PASSED'] })
    .respond((c) => c.args[0] === 'list', { output: listOutput });
  const context = { root, projectName: 'p' } as ExecutorContext;
  return { root, prefix, runner, context, printed: [] as string[] };
}

describe('fips-config executor', () => {
  it("runs fipsinstall and its verification with the prefix's own openssl, isolated from outside configuration", async () => {
    const { root, prefix, runner, context, printed } = setup();
    const result = await fipsConfigExecutor({ opensslPath: 'dist/p/openssl', outputPath: 'dist/p/fips-config' }, context, {
      runner,
      print: (l) => printed.push(l),
    });
    expect(result).toEqual({ success: true });
    const out = join(root, 'dist', 'p', 'fips-config');
    const [install, verify, list] = runner.commands;
    const module = join(prefix, 'lib', 'ossl-modules', 'fips.so');
    expect(install.program).toBe(join(prefix, 'bin', 'openssl'));
    expect(install.args).toEqual([
      'fipsinstall',
      '-module',
      module,
      '-out',
      expect.stringMatching(/fips-config\.\d+\.fipskit-partial\/fipsmodule\.cnf$/),
      '-provider_name',
      'fips',
    ]);
    expect(verify.args).toEqual(['fipsinstall', '-module', module, '-in', expect.stringMatching(/fipsmodule\.cnf$/), '-provider_name', 'fips', '-verify']);
    expect(install.env).toMatchObject({ OPENSSL_MODULES: join(prefix, 'lib', 'ossl-modules'), OPENSSL_CONF: expect.stringMatching(/empty\.cnf$/) });
    expect(install.env?.LD_LIBRARY_PATH?.split(':')[0]).toBe(join(prefix, 'lib'));
    expect(list.args).toEqual(['list', '-providers', '-verbose']);
    // Checked in the staging directory, before anything is published.
    expect(list.env?.OPENSSL_CONF).toMatch(/fips-config\.\d+\.fipskit-partial\/openssl\.cnf$/);
    const cnf = readFileSync(join(out, 'openssl.cnf'), 'utf8');
    expect(cnf).toContain('\n[fips_sect]\nactivate = 1\nmodule-mac = AB\n');
    expect(cnf).not.toContain('.include');
    expect(cnf).toContain('default = default_sect');
    expect(readFileSync(join(out, 'fipsmodule.cnf'), 'utf8')).toContain('module-mac');
    expect(existsSync(join(out, 'empty.cnf'))).toBe(false);
    const manifest = JSON.parse(readFileSync(join(out, 'fips-config.json'), 'utf8'));
    expect(manifest.fipsinstall.output).toEqual(['INSTALL PASSED']);
    expect(manifest.fipsinstall.machineDigest).toMatch(/^[0-9a-f]{64}$/);
    // The MAC fipsinstall wrote, for the FIPS Python to tell a changed configuration from a changed module.
    expect(manifest.fipsinstall.moduleMac).toBe('AB');
    expect(manifest.fipsProvider.sha256).toBe(sha256(MODULE_BYTES));
    expect(manifest.files).toEqual(['fipsmodule.cnf', 'openssl.cnf', 'fipskit-binding.txt', 'fips-env.sh', 'fips-env.ps1']);
    // The machine the configuration belongs to, as the FIPS Python checks it at start-up.
    expect(manifest.fipsinstall.hostDigest).toMatch(/^[0-9a-f]{64}$/);
  });

  it("ends with a line to paste into a shell, quoted, that activates the configuration even from a path with a space and a '", async () => {
    const { root, runner, context, printed } = setup();
    const outputPath = "dist/p/Zoë's fips config";
    expect(await fipsConfigExecutor({ opensslPath: 'dist/p/openssl', outputPath }, context, { runner, print: (l) => printed.push(l) })).toEqual({
      success: true,
    });
    const line = printed.find((l) => l.includes('done: '))!;
    const paste = /done: (.*) to use it$/.exec(line)![1];
    expect(paste).toBe(`. '${join(root, 'dist', 'p', "Zoë'\\''s fips config", 'fips-env.sh')}'`);
    const conf = execFileSync('sh', ['-c', `${paste} && printf %s "$OPENSSL_CONF"`], { encoding: 'utf8' });
    expect(conf).toBe(join(root, outputPath, 'openssl.cnf'));
  });

  it('passes -no_security_checks to both fipsinstall runs when security checks are turned off', async () => {
    const { runner, context } = setup();
    await fipsConfigExecutor({ opensslPath: 'dist/p/openssl', outputPath: 'dist/p/fips-config', securityChecks: false }, context, {
      runner,
      print: () => undefined,
    });
    expect(runner.commands[0].args.slice(-1)).toEqual(['-no_security_checks']);
    expect(runner.commands[1].args.slice(-2)).toEqual(['-no_security_checks', '-verify']);
  });

  it('fails when the written configuration does not activate the FIPS provider, publishing nothing', async () => {
    const { root, runner, context, printed } = setup(LIST_OUTPUT.slice(0, 5));
    const result = await fipsConfigExecutor({ opensslPath: 'dist/p/openssl', outputPath: 'dist/p/fips-config' }, context, {
      runner,
      print: (l) => printed.push(l),
    });
    expect(result.success).toBe(false);
    expect(printed.join('\n')).toMatch(/FIPS provider is not active/);
    expect(existsSync(join(root, 'dist', 'p', 'fips-config'))).toBe(false);
  });

  it('refuses fipsinstall output that is not one fips section, publishing nothing', async () => {
    const { root, context, printed } = setup();
    const runner = new RecordingRunner()
      .respond((c) => c.args[0] === 'fipsinstall' && c.args.includes('-out'), {
        effect: (c: Command) => writeFileSync(c.args[c.args.indexOf('-out') + 1], '[fips_sect]\nactivate = 1\nmodule-mac = AB\n.include /tmp/x.cnf\n'),
      })
      .respond(() => true, { output: ['VERIFY PASSED'] });
    const result = await fipsConfigExecutor({ opensslPath: 'dist/p/openssl', outputPath: 'dist/p/fips-config' }, context, {
      runner,
      print: (l) => printed.push(l),
    });
    expect(result.success).toBe(false);
    expect(printed.join('\n')).toMatch(/fipsmodule\.cnf is not the output of openssl fipsinstall: unexpected lines: "\.include \/tmp\/x\.cnf"/);
    expect(existsSync(join(root, 'dist', 'p', 'fips-config'))).toBe(false);
  });

  it('strict writes a configuration with the fips and base providers only', async () => {
    const { root, runner, context } = setup();
    await fipsConfigExecutor({ opensslPath: 'dist/p/openssl', outputPath: 'dist/p/fips-config', profile: 'strict' }, context, {
      runner,
      print: () => undefined,
    });
    const cnf = readFileSync(join(root, 'dist', 'p', 'fips-config', 'openssl.cnf'), 'utf8');
    expect(cnf).toContain('[provider_sect]\nfips = fips_sect\nbase = base_sect\n\n');
  });

  it('refuses a FIPS module changed after the openssl stage built it, before fipsinstall can bless it', async () => {
    const { prefix, runner, context, printed } = setup();
    writeFileSync(join(prefix, 'lib', 'ossl-modules', 'fips.so'), 'module bytez');
    const result = await fipsConfigExecutor({ opensslPath: 'dist/p/openssl', outputPath: 'dist/p/fips-config' }, context, {
      runner,
      print: (l) => printed.push(l),
    });
    expect(result.success).toBe(false);
    expect(printed.join('\n')).toContain(`build-info.json records ${sha256(MODULE_BYTES)}`);
    expect(runner.commands).toHaveLength(0);
  });

  it('refuses the recipe-compatible profile when OpenSSL was built without the legacy provider, before running anything', async () => {
    const { runner, context, printed } = setup();
    const result = await fipsConfigExecutor({ opensslPath: 'dist/p/openssl', outputPath: 'dist/p/fips-config', profile: 'recipe-compatible' }, context, {
      runner,
      print: (l) => printed.push(l),
    });
    expect(result.success).toBe(false);
    expect(printed.join('\n')).toContain('set legacyProvider: true on the openssl target');
    expect(runner.commands).toHaveLength(0);
  });

  it('refuses an output directory holding files fipskit did not create, and keeps them', async () => {
    const { root, runner, context, printed } = setup();
    const out = join(root, 'dist', 'p', 'fips-config');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'my-notes.txt'), 'mine');
    const result = await fipsConfigExecutor({ opensslPath: 'dist/p/openssl', outputPath: 'dist/p/fips-config' }, context, {
      runner,
      print: (l) => printed.push(l),
    });
    expect(result.success).toBe(false);
    expect(printed.join('\n')).toContain('my-notes.txt');
    expect(readFileSync(join(out, 'my-notes.txt'), 'utf8')).toBe('mine');
    expect(runner.commands).toHaveLength(0);
  });

  it('explains a missing openssl stage output', async () => {
    const { context, printed, runner } = setup();
    const result = await fipsConfigExecutor({ opensslPath: 'dist/nowhere', outputPath: 'dist/p/fips-config' }, context, {
      runner,
      print: (l) => printed.push(l),
    });
    expect(result.success).toBe(false);
    expect(printed.join('\n')).toContain('Run the openssl target first');
  });
});

describe('providerIsActive', () => {
  it('reads the status of the named provider only', () => {
    expect(providerIsActive(LIST_OUTPUT, 'fips')).toBe(true);
    expect(providerIsActive(LIST_OUTPUT.slice(0, 8), 'fips')).toBe(false);
    expect(providerIsActive(['  fips', '    status: inactive', '  base', '    status: active'], 'fips')).toBe(false);
  });
});
