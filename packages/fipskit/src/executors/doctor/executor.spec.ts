import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecutorContext } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { RecordingRunner } from '@fipskit/core';
import { projectGenerator } from '../../generators/project/generator';
import { resolvedProject } from '../../testing/resolved-project';
import doctorExecutor from './executor';

async function contextFor(options: Parameters<typeof projectGenerator>[1]): Promise<ExecutorContext> {
  const tree = createTreeWithEmptyWorkspace();
  await projectGenerator(tree, options);
  const project = resolvedProject(tree, options.name);
  const root = mkdtempSync(join(tmpdir(), 'fipskit-doctor-'));
  return {
    root,
    cwd: root,
    isVerbose: false,
    projectName: options.name,
    projectsConfigurations: { version: 2, projects: { [options.name]: project } },
    projectGraph: { nodes: {}, dependencies: { [options.name]: [] } },
    nxJsonConfiguration: {},
  } as unknown as ExecutorContext;
}

describe('doctor', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  // It asks this machine's own apt, perl, make, cc and Debian's python3.11, as the committed project does: Debian only.
  (process.platform === 'linux' ? it : it.skip)(
    'finds everything the committed kind of project needs on this machine (real tools, nothing built)',
    async () => {
      const context = await contextFor({
        name: 'fp',
        platform: 'linux',
        opensslSource: 'debian',
        pythonSource: 'debian',
        interpreter: '/usr/bin/python3.11',
        pythonVersion: '3.11.2',
      });
      roots.push(context.root);
      const printed: string[] = [];
      expect(await doctorExecutor({}, context, { print: (l) => printed.push(l), env: {} })).toEqual({ success: true });
      expect(printed.filter((l) => l.startsWith('[doctor] ok')).map((l) => l.split(/\s{2,}/)[1])).toEqual([
        'Node.js',
        'apt (Debian sources)',
        'OpenSSL build tools',
        'interpreter /usr/bin/python3.11',
      ]);
      expect(printed.at(-1)).toBe('[doctor] everything fp needs is here');
    },
    30_000,
  );

  it('names each missing tool with how to get it, and fails', async () => {
    const context = await contextFor({
      name: 'fp',
      platform: 'linux',
      opensslSource: 'debian',
      pythonSource: 'debian',
      interpreter: '/nonexistent/python3.11',
      pythonVersion: '3.11.2',
    });
    roots.push(context.root);
    const runner = new RecordingRunner().respond(() => true, { exitCode: 127 });
    const printed: string[] = [];
    // A remote cache configured on a port where nothing listens.
    const env = { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: 'http://127.0.0.1:9' };
    expect(await doctorExecutor({}, context, { runner, print: (l) => printed.push(l), host: 'linux', nodeVersion: '18.19.0', env })).toEqual({
      success: false,
    });
    const text = printed.join('\n');
    expect(text).toContain('MISSING  Node.js');
    expect(text).toMatch(/v18\.19\.0 is too old: install Node\.js 20\.19 or later/);
    expect(text).toMatch(/MISSING {2}apt \(Debian sources\).*apt-get not found/);
    expect(text).toMatch(/MISSING {2}OpenSSL build tools\s+The OpenSSL build cannot start; missing tools:/);
    expect(text).toContain('perl not found on PATH: install perl (Debian/Ubuntu: apt-get install perl');
    expect(text).toContain('install GNU make');
    expect(text).toMatch(/MISSING {2}interpreter \/nonexistent\/python3\.11\s+\/nonexistent\/python3\.11 does not exist/);
    expect(text).toMatch(
      /MISSING {2}Nx remote cache\s+the remote cache http:\/\/127\.0\.0\.1:9 cannot be reached \(.*\): Nx stops with "Failed to send request"\. Start the server, or build locally with --skip-remote-cache/,
    );
    expect(printed.at(-1)).toBe('[doctor] 5 of 5 checks failed: install what is named above, then run the build.');
    // Nothing was built: only version probes ran.
    expect(runner.commands.every((c) => c.args.some((a) => /--version|^-e$|-MIPC::Cmd/.test(a)))).toBe(true);
  });

  it('asks whether the release hosts of url sources answer, and names the local and Debian routes when one does not', async () => {
    // The generator's default: official tarballs from github.com (OpenSSL) and python.org (CPython).
    const context = await contextFor({ name: 'fp', platform: 'linux', interpreter: '/usr/bin/python3.11', pythonVersion: '3.11.2' });
    roots.push(context.root);
    const asked: string[] = [];
    const reaches = async (url: string) => (asked.push(url), !url.includes('github.com'));
    const printed: string[] = [];
    const runner = new RecordingRunner();
    await doctorExecutor({}, context, { runner, print: (l) => printed.push(l), host: 'linux', env: {}, reaches });
    expect(asked.map((url) => new URL(url).host).sort()).toEqual(expect.arrayContaining(['github.com', 'www.python.org']));
    const text = printed.join('\n');
    expect(text).toMatch(
      /MISSING {2}download from github\.com\s+no answer from github\.com, where the openssl source https:\/\/github\.com\/.* comes from: .* \{ "kind": "local", "path": "<the tarball>", "sha256": "[0-9a-f]{64}" \}, or use Debian's source package/,
    );
    expect(text).toMatch(/ok {7}download from www\.python\.org\s+www\.python\.org answers/);
  });

  it('on Windows checks MSVC, MSBuild and the installed Python', async () => {
    const context = await contextFor({ name: 'win', platform: 'win32', pythonVersion: '3.11.2' });
    roots.push(context.root);
    const runner = new RecordingRunner().respond(() => true, { exitCode: 1 });
    const printed: string[] = [];
    expect(await doctorExecutor({}, context, { runner, print: (l) => printed.push(l), host: 'win32', nodeVersion: '20.19.0' })).toEqual({ success: false });
    const text = printed.join('\n');
    expect(text).toMatch(/MISSING {2}OpenSSL build tools/);
    expect(text).toMatch(/MISSING {2}MSBuild \(PCbuild\)\s+MSBuild with the C\+\+ x64 build tools was not found/);
    expect(text).toMatch(/MISSING {2}interpreter C:\\Program Files\\Python311\\python\.exe/);
  });

  it('on Windows refuses a NASM older than OpenSSL takes, as the build itself would', async () => {
    const context = await contextFor({ name: 'win', platform: 'win32', pythonVersion: '3.11.2' });
    roots.push(context.root);
    const versions: Record<string, string> = {
      perl: 'MSWin32 perl v5.38.2',
      cl: 'Microsoft (R) C/C++ Optimizing Compiler Version 19.39 for x64',
      nmake: 'Microsoft (R) Program Maintenance Utility Version 14.39',
      nasm: 'NASM version 2.08.02 compiled on Jun 24 2010',
    };
    const runner = new RecordingRunner();
    for (const [program, output] of Object.entries(versions)) runner.respond((c) => c.program === program, { output: [output] });
    runner.respond(() => true, { exitCode: 1 });
    const printed: string[] = [];
    expect(await doctorExecutor({}, context, { runner, print: (l) => printed.push(l), host: 'win32', nodeVersion: '20.19.0', env: {} })).toEqual({
      success: false,
    });
    expect(printed.join('\n')).toMatch(
      /MISSING {2}OpenSSL build tools\s+The OpenSSL build cannot start; missing tools:\n.*- the NASM on PATH is version 2\.08\.02, but OpenSSL needs NASM 2\.09 or later: install a current NASM from nasm\.us and put it first on PATH, or remove it from PATH to build with no-asm/,
    );
  });

  it('names a python target whose options have the wrong shape as a finding of its own, and fails', async () => {
    const context = await contextFor({
      name: 'fp',
      platform: 'linux',
      opensslSource: 'debian',
      pythonSource: 'debian',
      interpreter: '/usr/bin/python3.11',
      pythonVersion: '3.11.2',
    });
    roots.push(context.root);
    const python = context.projectsConfigurations!.projects.fp.targets!.python;
    python.options = { ...python.options, interpreter: 3, sourceLock: undefined };
    const runner = new RecordingRunner().respond(() => true, { exitCode: 127 });
    const printed: string[] = [];
    expect(await doctorExecutor({}, context, { runner, print: (l) => printed.push(l), host: 'linux', nodeVersion: '20.19.0', env: {} })).toEqual({
      success: false,
    });
    const text = printed.join('\n');
    expect(text).toMatch(
      /MISSING {2}fp:python options\s+The options of fp:python \(the python stage\) are not what the stage reads: interpreter is number 3, not a string; sourceLock is missing \(it must be a string\)\. Set them/,
    );
    expect(text).not.toContain('interpreter 3');
  });
});
