import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecutorContext } from '@nx/devkit';
import { OUTPUT_MARKER } from '@fipskit/core';
import auditExecutor, { AUDIT_FILE, AuditReport, StageRebuild, rebuildStage } from './executor';

/*
 * The comparison, the report and the verdict, with a stand-in for the stage builds (which take minutes): the e2e
 * suite runs the real rebuilds of the committed fips-python project and compares them.
 */
function workspace(): { root: string; context: ExecutorContext } {
  const root = mkdtempSync(join(tmpdir(), 'fipskit-audit-'));
  const write = (path: string, content: string) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  };
  write(`dist/fp/openssl/${OUTPUT_MARKER}`, '{"createdBy":"fipskit","stage":"openssl","createdAt":"then"}');
  write('dist/fp/openssl/lib/ossl-modules/fips.so', 'the module');
  write('dist/fp/openssl/lib/libcrypto.so.3', 'libcrypto');
  write(
    'dist/fp/openssl/build-info.json',
    JSON.stringify({
      version: '3.0.22',
      layout: { bin: 'bin', lib: 'lib', modules: 'lib/ossl-modules', include: 'include' },
      fipsProvider: { version: '3.0.22', module: 'lib/ossl-modules/fips.so' },
      artifacts: { 'lib/ossl-modules/fips.so': 'a2bd7ab5a1d5c0fd88d3b8c3d4c4f4d8a7c1fd2e0d0de1f3b91b3e9ec8e2e6f5' },
    }),
  );
  write(`dist/fp/python/${OUTPUT_MARKER}`, '{"createdBy":"fipskit","stage":"python","createdAt":"then"}');
  write('dist/fp/python/lib/fipskit/_ssl.so', 'ssl module');
  mkdirSync(join(root, 'dist/fp/python/bin'));
  symlinkSync('python3.11', join(root, 'dist/fp/python/bin/python3'));
  const targets = {
    openssl: { executor: '@fipskit/openssl-fips:build', options: { outputPath: 'dist/fp/openssl', sourceLock: 'dist/fp/sources/openssl.source.json' } },
    python: { executor: '@fipskit/python-pcbuild:build', options: { outputPath: 'dist/fp/python', sourceLock: 'dist/fp/sources/cpython.source.json' } },
  };
  const context = {
    root,
    cwd: root,
    isVerbose: false,
    projectName: 'fp',
    targetName: 'audit',
    projectsConfigurations: { version: 2, projects: { fp: { root: 'fp', targets } } },
    projectGraph: { nodes: {}, dependencies: {} },
    nxJsonConfiguration: {},
  } as unknown as ExecutorContext;
  return { root, context };
}

/** A rebuild that gives back the delivered tree, with `change` applied to it. */
function copyRebuild(root: string, change: (stage: string, dir: string) => void = () => undefined): StageRebuild & { calls: string[] } {
  const calls: string[] = [];
  const rebuild = async (stage: 'openssl' | 'python', target: { options: Record<string, unknown> }, overrides: { outputPath: string }) => {
    calls.push(stage);
    cpSync(join(root, String(target.options.outputPath)), overrides.outputPath, { recursive: true, verbatimSymlinks: true });
    writeFileSync(join(overrides.outputPath, OUTPUT_MARKER), '{"createdBy":"fipskit","stage":"x","createdAt":"now"}');
    change(stage, overrides.outputPath);
    return { version: '3.0.22', sha256: '6'.repeat(64) };
  };
  return Object.assign(rebuild, { calls });
}

describe('fipskit:audit', () => {
  let root: string;
  let context: ExecutorContext;
  let printed: string[];
  beforeEach(() => {
    ({ root, context } = workspace());
    printed = [];
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const report = (): AuditReport => JSON.parse(readFileSync(join(root, 'dist', 'fp', 'audit', AUDIT_FILE), 'utf8'));

  it('passes when every rebuilt entry is the same (the ownership marker aside), and removes the rebuilds', async () => {
    const rebuild = copyRebuild(root);
    expect(await auditExecutor({}, context, { rebuild, print: (l) => printed.push(l) })).toEqual({ success: true });
    expect(rebuild.calls).toEqual(['openssl', 'python']);
    const audit = report();
    expect(audit.stages.map((s) => [s.target, s.reproduced, s.files, s.differences])).toEqual([
      ['fp:openssl', true, 5, []],
      ['fp:python', true, 5, []],
    ]);
    expect(audit.fipsModule).toEqual({
      path: 'lib/ossl-modules/fips.so',
      sha256: 'a2bd7ab5a1d5c0fd88d3b8c3d4c4f4d8a7c1fd2e0d0de1f3b91b3e9ec8e2e6f5',
      reproduced: true,
    });
    expect(existsSync(join(root, 'dist', 'fp', 'openssl.audit'))).toBe(false);
    expect(printed).toContain('[audit] fp:openssl: all 5 entries of dist/fp/openssl are what the source builds to');
  });

  it('fails on one changed byte of the FIPS module, naming the file, and keeps the rebuild for inspection', async () => {
    const rebuild = copyRebuild(root, (stage, dir) => {
      if (stage === 'openssl') writeFileSync(join(dir, 'lib', 'ossl-modules', 'fips.so'), 'the modulf');
    });
    expect(await auditExecutor({}, context, { rebuild, print: (l) => printed.push(l) })).toEqual({ success: false });
    const audit = report();
    expect(audit.stages[0]).toMatchObject({ reproduced: false, rebuiltKeptAt: 'dist/fp/openssl.audit' });
    expect(audit.stages[0].differences).toEqual([
      {
        path: 'lib/ossl-modules/fips.so',
        expected: expect.stringMatching(/^[0-9a-f]{64}( executable)?$/),
        actual: expect.stringMatching(/^[0-9a-f]{64}( executable)?$/),
      },
    ]);
    expect(audit.stages[1].reproduced).toBe(true);
    expect(audit.fipsModule!.reproduced).toBe(false);
    expect(printed.join('\n')).toContain('[audit] fp:openssl: 1 of 5 entries differ from a rebuild from source: lib/ossl-modules/fips.so');
    expect(printed.join('\n')).toMatch(/fp:openssl is not what the locked source builds to on this machine .*Do not ship it/);
    expect(existsSync(join(root, 'dist', 'fp', 'openssl.audit', 'lib', 'ossl-modules', 'fips.so'))).toBe(true);
  });

  it('fails on a mode alone: a library anyone may write, a program that lost its executable bit', async () => {
    const rebuild = copyRebuild(root, (stage, dir) => {
      if (stage === 'openssl') {
        chmodSync(join(dir, 'lib', 'libcrypto.so.3'), 0o666);
        chmodSync(join(dir, 'bin', 'openssl'), 0o644);
      }
    });
    chmodSync(join(root, 'dist', 'fp', 'openssl', 'lib', 'libcrypto.so.3'), 0o644);
    mkdirSync(join(root, 'dist', 'fp', 'openssl', 'bin'));
    writeFileSync(join(root, 'dist', 'fp', 'openssl', 'bin', 'openssl'), 'the program');
    chmodSync(join(root, 'dist', 'fp', 'openssl', 'bin', 'openssl'), 0o755);
    expect(await auditExecutor({}, context, { rebuild, print: (l) => printed.push(l) })).toEqual({ success: false });
    const differences = report().stages[0].differences;
    expect(differences.map((d) => [d.path, d.expected!.replace(/^[0-9a-f]{64}/, '<sha>'), d.actual!.replace(/^[0-9a-f]{64}/, '<sha>')])).toEqual([
      ['bin/openssl', '<sha> executable', '<sha>'],
      ['lib/libcrypto.so.3', '<sha>', '<sha> world-writable'],
    ]);
    for (const d of differences) expect(d.expected!.slice(0, 64)).toBe(d.actual!.slice(0, 64));
    // The module itself was the same bytes: its own flag says so, and the stage's says the output was not.
    expect(report().fipsModule!.reproduced).toBe(true);
    expect(report().stages[0].reproduced).toBe(false);
  });

  it('counts files only in one tree and symlinks that point elsewhere', async () => {
    const rebuild = copyRebuild(root, (stage, dir) => {
      if (stage !== 'python') return;
      writeFileSync(join(dir, 'lib', 'fipskit', 'extra.py'), 'x');
      rmSync(join(dir, 'lib', 'fipskit', '_ssl.so'));
      rmSync(join(dir, 'bin', 'python3'));
      symlinkSync('/usr/bin/python3.11', join(dir, 'bin', 'python3'));
    });
    expect(await auditExecutor({ stages: ['python'] }, context, { rebuild, print: (l) => printed.push(l) })).toEqual({ success: false });
    expect(report().stages[0].differences).toEqual([
      { path: 'bin/python3', expected: 'link -> python3.11', actual: 'link -> /usr/bin/python3.11' },
      { path: 'lib/fipskit/_ssl.so', expected: expect.stringMatching(/^[0-9a-f]{64}( executable)?$/) },
      { path: 'lib/fipskit/extra.py', actual: expect.stringMatching(/^[0-9a-f]{64}( executable)?$/) },
    ]);
    expect(report().fipsModule).toBeUndefined();
  });

  it('refuses before any rebuild when a stage has no output yet, or an unknown stage is asked for', async () => {
    rmSync(join(root, 'dist', 'fp', 'python'), { recursive: true });
    const rebuild = copyRebuild(root);
    expect(await auditExecutor({}, context, { rebuild, print: (l) => printed.push(l) })).toEqual({ success: false });
    expect(printed.join('\n')).toContain('holds no python output to audit: run nx run fp:python first');
    expect(await auditExecutor({ stages: ['fips-config' as 'openssl'] }, context, { rebuild, print: (l) => printed.push(l) })).toEqual({ success: false });
    expect(printed.join('\n')).toContain('stages: fips-config cannot be audited; choose from openssl and python.');
    expect(rebuild.calls).toEqual([]);
  });

  it("the real rebuild checks the target's options through its stage before building anything", async () => {
    const ctx = { root, runner: { run: () => Promise.reject(new Error('nothing may run')) } as never, print: (l: string) => printed.push(l) };
    const target = { project: 'fp', target: 'python', options: { outputPath: 'dist/fp/python', sourceLock: 42 } };
    await expect(rebuildStage('python', target, { outputPath: 'dist/fp/python.audit', buildDir: 'tmp/audit/python' }, ctx)).rejects.toThrow(
      'The options of fp:python (the python stage) are not what the stage reads: sourceLock is number 42, not a string; opensslPath is missing (it must be a string); ' +
        "fipsConfigPath is missing (it must be a string). Set them in that target's options (project.json, or the project's fipskit.json), or regenerate the project with nx g fipskit:project.",
    );
    const openssl = { project: 'fp', target: 'openssl', options: { outputPath: 'dist/fp/openssl' } };
    await expect(rebuildStage('openssl', openssl, { outputPath: 'dist/fp/openssl.audit', buildDir: 'tmp/audit/openssl' }, ctx)).rejects.toThrow(
      'The options of fp:openssl (the openssl stage) are not what the stage reads: sourceLock is missing (it must be a string).',
    );
    expect(existsSync(join(root, 'tmp'))).toBe(false);
  });
});
