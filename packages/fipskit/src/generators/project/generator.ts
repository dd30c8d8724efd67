import { Tree, addProjectConfiguration, getProjects, joinPathFragments, names } from '@nx/devkit';
import { ProjectGeneratorOptions } from './schema';
import { fipsProviderSourceSpec, opensslSourceSpec } from './lib/source-spec-for';
import { interpreterVersion, pythonSourceSpec } from './lib/python-source-spec';
import { DEFAULT_FIPS_PROFILE, FipsProfile, hostPlatform } from '@fipskit/core';
import { DEFAULT_INTERPRETER, DEFAULT_WINDOWS_INTERPRETER, EXECUTORS } from '../../constants';
import { stageTargets } from './lib/targets';
import { withSignaturePolicy } from './lib/signature-policy';

export interface NormalizedProjectOptions {
  name: string;
  directory: string;
  outputDir: string;
  profile: FipsProfile;
}

export function normalizeProjectOptions(tree: Tree, options: ProjectGeneratorOptions): NormalizedProjectOptions {
  const name = names(options.name).fileName;
  if (getProjects(tree).has(name)) throw new Error(`A project named "${name}" already exists: choose another name.`);
  const directory = options.directory ?? name;
  if (tree.exists(joinPathFragments(directory, 'project.json'))) {
    throw new Error(`${directory}/project.json already exists: choose another directory.`);
  }
  return { name, directory, outputDir: options.outputDir ?? `dist/${name}`, profile: options.profile ?? DEFAULT_FIPS_PROFILE };
}

/** The project whose OpenSSL a new Python project shares: it must exist and build OpenSSL itself. */
function sharedOpenSsl(tree: Tree, name: string): { project: string; outputDir: string; profile: FipsProfile } {
  const project = getProjects(tree).get(name);
  const openssl = project?.targets?.openssl;
  if (!project || openssl?.executor !== EXECUTORS.openssl || !project.targets?.['fips-config']) {
    throw new Error(`opensslProject "${name}" is not a fipskit project with its own openssl and fips-config targets: name one generated without --opensslProject.`);
  }
  const outputPath = String(openssl.options?.outputPath ?? '');
  const profile: FipsProfile = project.targets['fips-config'].options?.profile ?? DEFAULT_FIPS_PROFILE;
  return { project: name, outputDir: outputPath.replace(/\/openssl$/, ''), profile };
}

/** Options that choose the OpenSSL, which a project sharing another project's OpenSSL takes from that project. */
const OPENSSL_OPTIONS = ['opensslSource', 'opensslVersion', 'opensslSha256', 'opensslPath', 'opensslSuites', 'profile', 'fipsProviderVersion', 'fipsProviderSuites'] as const;

export async function projectGenerator(tree: Tree, options: ProjectGeneratorOptions): Promise<void> {
  const normalized = normalizeProjectOptions(tree, options);
  const shared = options.opensslProject ? sharedOpenSsl(tree, options.opensslProject) : undefined;
  // Only options the user gave: the schema gives these no defaults, so that they can come from the shared project.
  const conflicting = OPENSSL_OPTIONS.filter((option) => options[option] !== undefined);
  if (shared && conflicting.length) {
    const given = conflicting.map((option) => `--${option}`).join(', ');
    throw new Error(`The OpenSSL and the FIPS profile come from ${shared.project} (--opensslProject): leave out ${given}, or leave out --opensslProject.`);
  }
  const opensslSpec = shared ? undefined : opensslSourceSpec(options);
  const fipsProviderSpec = shared ? undefined : fipsProviderSourceSpec(options);
  const host = hostPlatform();
  const platform = !options.platform || options.platform === 'auto' ? host : options.platform;
  const mode = options.mode ?? (platform === 'win32' ? 'pcbuild' : 'overlay');
  if ((platform === 'win32') !== (mode === 'pcbuild')) {
    throw new Error(`mode "${mode}" does not fit platform ${platform}: Windows uses "pcbuild", Linux and macOS use "overlay" or "full".`);
  }
  if (mode === 'full' && options.interpreter) throw new Error('mode "full" builds its own interpreter: leave out --interpreter, and give --pythonVersion.');
  const interpreter = mode === 'full' ? undefined : options.interpreter ?? (platform === 'win32' ? DEFAULT_WINDOWS_INTERPRETER : DEFAULT_INTERPRETER);
  if (!options.pythonVersion && (mode === 'full' || platform !== host)) {
    throw new Error(
      mode === 'full'
        ? 'mode "full" needs --pythonVersion: the CPython release to build (e.g. 3.13.5).'
        : `The interpreter ${interpreter} is on a ${platform} machine and cannot be asked for its version here: pass --pythonVersion (e.g. 3.11.2).`,
    );
  }
  const pythonSpec = pythonSourceSpec(options, options.pythonVersion ?? interpreterVersion(interpreter!));
  // Every option is valid by now: the generator says what it cannot check only for a project it writes.
  const openssl = await withSignaturePolicy(tree, 'openssl', opensslSpec);
  const fipsProvider = await withSignaturePolicy(tree, 'openssl', fipsProviderSpec);
  const python = (await withSignaturePolicy(tree, 'cpython', pythonSpec))!;
  addProjectConfiguration(tree, normalized.name, {
    root: normalized.directory,
    projectType: 'application',
    tags: ['fipskit', `platform:${platform}`],
    // nx affected: a change to the shared OpenSSL project affects this one.
    ...(shared ? { implicitDependencies: [shared.project] } : {}),
    targets: stageTargets({ outputDir: normalized.outputDir, openssl, fipsProvider, python, interpreter, mode, platform, profile: shared?.profile ?? normalized.profile, shared }),
  });
}

export default projectGenerator;
