import { Tree, addProjectConfiguration, getProjects, joinPathFragments, logger, names } from '@nx/devkit';
import { ProjectGeneratorOptions } from './schema';
import { fipsProviderSourceSpec, opensslSourceSpec } from './lib/source-spec-for';
import { interpreterVersion, pythonSourceSpec } from './lib/python-source-spec';
import { DEFAULT_FIPS_PROFILE, FipsProfile, SourceSpec, hostPlatform } from '@fipskit/core';
import { DEFAULT_INTERPRETER, DEFAULT_WINDOWS_INTERPRETER, EXECUTORS, RELEASE_KEY_FILES } from '../../constants';
import { stageTargets } from './lib/targets';

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

/**
 * Points a downloaded source at the workspace's file of the project's published release keys: fipskit pins
 * the keys' fingerprints but carries only the keys it has from a trusted copy, and releases signed by others
 * (OpenSSL's 2026 key, the team keys of 3.0.8/3.0.9/3.1.2, python.org's release managers) need the rest.
 */
function withReleaseKeys(tree: Tree, product: 'openssl' | 'cpython', spec: SourceSpec | undefined): SourceSpec | undefined {
  if (!spec || spec.kind === 'local' || (product === 'cpython' && spec.kind === 'debian')) return spec;
  const keys = RELEASE_KEY_FILES[product];
  if (!tree.exists(keys.path)) {
    logger.warn(
      `fipskit checks the ${product === 'openssl' ? 'OpenSSL' : 'CPython'} release signature before building. Save ${keys.what} (${keys.publishedAt}) as ${keys.path} ` +
        '(only keys with a fingerprint fipskit pins are used from it); the sources stage stops, saying so, until it is there.',
    );
  }
  return { ...spec, signature: { keys: keys.path } };
}

export async function projectGenerator(tree: Tree, options: ProjectGeneratorOptions): Promise<void> {
  const normalized = normalizeProjectOptions(tree, options);
  const shared = options.opensslProject ? sharedOpenSsl(tree, options.opensslProject) : undefined;
  if (shared && (options.opensslSource || options.opensslVersion || options.opensslPath || options.profile || options.fipsProviderVersion)) {
    throw new Error(`The OpenSSL, its version and the FIPS profile come from ${shared.project}: leave out opensslSource, opensslVersion, opensslPath and profile, or leave out opensslProject.`);
  }
  const openssl = shared ? undefined : withReleaseKeys(tree, 'openssl', opensslSourceSpec(options));
  const fipsProvider = shared ? undefined : withReleaseKeys(tree, 'openssl', fipsProviderSourceSpec(options));
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
  const python = withReleaseKeys(tree, 'cpython', pythonSourceSpec(options, options.pythonVersion ?? interpreterVersion(interpreter!)))!;
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
