import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProjectsConfigurations } from '@nx/devkit';
import { VerifyOptions } from '../executors/verify/schema';
import { VerifyReuseContext, environmentDigest, verifyReuse } from './verify-reuse';

const options: VerifyOptions = {
  python: 'dist/app/python/bin/python3',
  opensslPath: 'dist/app/openssl',
  fipsConfigPath: 'dist/app/fips-config',
  outputPath: 'dist/app/verify',
};

describe('verifyReuse: what a restored verdict must share with a proof made now', () => {
  let root: string;
  let ctx: VerifyReuseContext;
  const projects = (verify = options): ProjectsConfigurations => ({
    version: 2,
    projects: { app: { root: 'app', targets: { verify: { executor: '@fipskit/verify:verify', options: verify } } } },
  });
  const state = (over: Partial<VerifyReuseContext> = {}, opts = options) => {
    const reuse = verifyReuse(opts, { ...ctx, ...over });
    if (!reuse.reusable) throw new Error(reuse.why);
    return reuse.state;
  };
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'fipskit-verify-reuse-'));
    ctx = {
      root,
      projectName: 'app',
      targetName: 'verify',
      env: { PATH: '/usr/bin', HOME: '/home/me' },
      now: new Date('2026-12-07T23:59:00Z'),
      platform: 'linux',
      projectsConfigurations: projects(),
      fipsSwitch: () => '0',
      stagesInRun: true,
    };
  });

  it('is the same for the same day, machine state, audit, environment and targets', () => {
    expect(state()).toBe(state({ now: new Date('2026-12-07T00:00:01Z') }));
  });

  it('changes on the next day (UTC): a certificate can go historical overnight', () => {
    expect(state({ now: new Date('2026-12-08T00:00:01Z') })).not.toBe(state());
  });

  it("changes with the kernel's FIPS switch", () => {
    expect(state({ fipsSwitch: () => '1' })).not.toBe(state());
    expect(state({ fipsSwitch: () => undefined })).toContain('kernel FIPS switch absent');
  });

  it('changes when the audit report verify cites appears or changes', () => {
    const none = state();
    mkdirSync(join(root, 'dist', 'app', 'audit'), { recursive: true });
    writeFileSync(join(root, 'dist', 'app', 'audit', 'audit.json'), '{"stages":[]}');
    const one = state();
    writeFileSync(join(root, 'dist', 'app', 'audit', 'audit.json'), '{"stages":[1]}');
    expect(new Set([none, one, state()]).size).toBe(3);
  });

  it('changes with any variable that reaches the interpreter, not with the shell and Nx bookkeeping', () => {
    expect(state({ env: { ...ctx.env, PYTHONPATH: '/elsewhere' } })).not.toBe(state());
    expect(state({ env: { ...ctx.env, LD_PRELOAD: '/x.so' } })).not.toBe(state());
    expect(state({ env: { ...ctx.env, _: '/usr/bin/npx', OLDPWD: '/tmp', SHLVL: '3', NX_DAEMON: 'false', npm_lifecycle_event: 'test' } })).toBe(state());
    expect(environmentDigest({ A: '1', B: '2' })).toBe(environmentDigest({ B: '2', A: '1' }));
  });

  it('changes with the Nx targets the evidence names', () => {
    expect(state({ projectsConfigurations: projects({ ...options, profile: 'strict' }) })).not.toBe(state());
  });

  it('is never reused for another interpreter than the target names, nor on Windows', () => {
    expect(verifyReuse({ ...options, python: '/usr/bin/python3.11' }, ctx)).toEqual({
      reusable: false,
      why: '/usr/bin/python3.11 is not the interpreter the target names',
    });
    expect(verifyReuse(options, { ...ctx, platform: 'win32' })).toMatchObject({ reusable: false });
  });

  it('is never reused in a run without the stages it checks, whose files Nx then leaves out of the key', () => {
    expect(verifyReuse(options, { ...ctx, stagesInRun: false })).toEqual({
      reusable: false,
      why: 'the stages it checks are not in this run (--excludeTaskDependencies), so their files are not in the key',
    });
  });
});
