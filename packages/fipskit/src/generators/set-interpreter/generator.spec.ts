import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tree, logger, readProjectConfiguration, updateProjectConfiguration } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { projectGenerator } from '../project/generator';
import { resolvedProject } from '../../testing/resolved-project';
import { setInterpreterGenerator } from './generator';

type ProjectOptions = Parameters<typeof projectGenerator>[1];

const RUNNER_PYTHON = 'C:\\hostedtoolcache\\windows\\Python\\3.11.2\\x64\\python.exe';

/** An interpreter on this machine that answers the version question as a Python of `version` would. */
function fakePython(version: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fipskit-python-'));
  const python = join(dir, 'python3');
  writeFileSync(python, `#!/bin/sh\necho ${version}\n`);
  chmodSync(python, 0o755);
  return python;
}
const HOST_PYTHON = process.platform === 'linux' ? fakePython('3.11.2') : '/opt/hostedtoolcache/Python/3.11.2/x64/bin/python3';

describe('set-interpreter generator', () => {
  let tree: Tree;
  let info: jest.SpyInstance;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  /** The project as the project generator writes it for `interpreter` from the start. */
  async function generatedFor(options: ProjectOptions, before: ProjectOptions[] = []) {
    const fresh = createTreeWithEmptyWorkspace();
    for (const other of before) await projectGenerator(fresh, other);
    await projectGenerator(fresh, options);
    return resolvedProject(fresh, options.name);
  }

  it.each([
    ['win32', { name: 'win', platform: 'win32', pythonVersion: '3.11.2' }, RUNNER_PYTHON],
    ['linux', { name: 'lin', platform: 'linux', pythonVersion: '3.11.2' }, HOST_PYTHON],
    ['darwin', { name: 'mac', platform: 'darwin', pythonVersion: '3.11.2' }, '/Library/Frameworks/Python.framework/Versions/3.11/bin/python3'],
  ] as const)('%s: the project becomes exactly what the project generator writes for that interpreter', async (platform, options, interpreter) => {
    await projectGenerator(tree, options);
    await setInterpreterGenerator(tree, { platform, interpreter });
    expect(resolvedProject(tree, options.name)).toEqual(await generatedFor({ ...options, interpreter }));
  });

  it('changes every Windows project, one sharing another one OpenSSL included, and no other', async () => {
    const win: ProjectOptions = { name: 'win', platform: 'win32', pythonVersion: '3.11.2' };
    const winShared: ProjectOptions = {
      name: 'win-313',
      platform: 'win32',
      opensslProject: 'win',
      interpreter: 'C:\\Python313\\python.exe',
      pythonVersion: '3.13.5',
      pythonSha256: 'a'.repeat(64),
    };
    const lin: ProjectOptions = { name: 'lin', platform: 'linux', pythonVersion: '3.11.2' };
    const full: ProjectOptions = { name: 'full', platform: 'linux', mode: 'full', pythonVersion: '3.11.2' };
    for (const options of [win, winShared, lin, full]) await projectGenerator(tree, options);
    const linux = resolvedProject(tree, 'lin');
    const ownCpython = resolvedProject(tree, 'full');

    await setInterpreterGenerator(tree, { platform: 'win32', interpreter: RUNNER_PYTHON });

    expect(resolvedProject(tree, 'win')).toEqual(await generatedFor({ ...win, interpreter: RUNNER_PYTHON }));
    expect(resolvedProject(tree, 'win-313')).toEqual(await generatedFor({ ...winShared, interpreter: RUNNER_PYTHON }, [win]));
    expect(resolvedProject(tree, 'lin')).toEqual(linux);
    expect(resolvedProject(tree, 'full')).toEqual(ownCpython);
    const targets = resolvedProject(tree, 'win').targets!;
    expect([
      targets.python.options.interpreter,
      targets.install.options.interpreter,
      targets.restore.options.interpreter,
      targets.verify.options.python,
    ]).toEqual(Array(4).fill(RUNNER_PYTHON));
    expect(JSON.stringify(resolvedProject(tree, 'win'))).not.toContain('Program Files');
    expect(tree.read('win/fipskit.json', 'utf-8')).not.toContain('Program Files');
    expect(info).toHaveBeenLastCalledWith(`fipskit: win, win-313 now use ${RUNNER_PYTHON}`);

    // Run again (a second CI step): nothing left to change.
    await setInterpreterGenerator(tree, { platform: 'win32', interpreter: RUNNER_PYTHON });
    expect(info).toHaveBeenLastCalledWith(`fipskit: no win32 project uses an interpreter other than ${RUNNER_PYTHON}; nothing changed`);
  });

  it('also changes an interpreter a target configuration names, and leaves other values alone', async () => {
    await projectGenerator(tree, { name: 'win', platform: 'win32', pythonVersion: '3.11.2' });
    // An override in project.json over the inferred plan target.
    const project = readProjectConfiguration(tree, 'win');
    project.targets = {
      plan: {
        configurations: { windows: { platform: 'win32', interpreter: 'C:\\Program Files\\Python311\\python.exe' } },
        options: { outputPath: 'dist/win/plan' },
      },
    };
    updateProjectConfiguration(tree, 'win', project);
    await setInterpreterGenerator(tree, { platform: 'win32', interpreter: RUNNER_PYTHON });
    expect(resolvedProject(tree, 'win').targets!.plan).toMatchObject({
      options: { outputPath: 'dist/win/plan' },
      configurations: { windows: { platform: 'win32', interpreter: RUNNER_PYTHON } },
    });
  });

  it('refuses a relative path, and a path the toolchain input could not quote', async () => {
    await projectGenerator(tree, { name: 'win', platform: 'win32', pythonVersion: '3.11.2' });
    await expect(setInterpreterGenerator(tree, { platform: 'win32', interpreter: 'python.exe' })).rejects.toThrow(
      'interpreter "python.exe" is not an absolute win32 path: give the full path of the installed Python\'s python.exe.',
    );
    await expect(setInterpreterGenerator(tree, { platform: 'win32', interpreter: 'C:\\100%\\python.exe' })).rejects.toThrow(
      /contains a quote, \$, `, %, a line break or a trailing backslash/,
    );
    expect(resolvedProject(tree, 'win').targets!.python.options.interpreter).toBe('C:\\Program Files\\Python311\\python.exe');
  });

  (process.platform === 'linux' ? it : it.skip)(
    "on this machine's platform: refuses a path that does not exist, and a Python fipskit does not build for, changing nothing",
    async () => {
      await projectGenerator(tree, { name: 'lin', platform: 'linux', pythonVersion: '3.11.2' });
      const before = tree.read('lin/fipskit.json', 'utf-8');
      await expect(setInterpreterGenerator(tree, { platform: 'linux', interpreter: '/opt/nowhere/bin/python3' })).rejects.toThrow(
        '/opt/nowhere/bin/python3 does not exist on this machine: install that Python, or give the path of one that is installed. Nothing changed.',
      );
      const python2 = fakePython('2.7.18');
      await expect(setInterpreterGenerator(tree, { platform: 'linux', interpreter: python2 })).rejects.toThrow(
        `The interpreter ${python2} is Python 2.7.18: fipskit builds for CPython 3.10 to 3.14`,
      );
      expect(tree.read('lin/fipskit.json', 'utf-8')).toBe(before);
    },
  );
});
