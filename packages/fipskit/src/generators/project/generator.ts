import { Tree, addProjectConfiguration, formatFiles, getProjects, joinPathFragments, logger, names, writeJson } from '@nx/devkit';
import { unreachableSources } from './lib/download-reach';
import { versionText } from './lib/version-text';
import { ProjectGeneratorOptions } from './schema';
import { TextVersionOptions, fipsProviderSourceSpec, opensslSourceSpec } from './lib/source-spec-for';
import { interpreterVersion, pythonSourceSpec } from './lib/python-source-spec';
import {
  DEFAULT_FIPS_PROFILE,
  FipsProfile,
  defaultInterpreter,
  defaultMode,
  hostPlatform,
  interpreterProblem,
  modeMismatch,
  normalizeProject,
  outputDirProblem,
  pythonVersionProblem,
} from '@fipskit/core';
import type { NamedProjectFile } from '@fipskit/core';
import { EXECUTORS } from '../../constants';
import { withSignaturePolicy } from './lib/signature-policy';
import { FipskitProject } from '../../plugins/fipskit-json/schema';
import { FIPSKIT_PROJECT_FILE } from '../../plugins/nodes';
import { readFipskitFile, schemaReference } from '../../plugins/fipskit-projects';
import { registerPlugin } from '../../plugins/register-plugin';

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

/** The workspace's fipskit projects as the plugin reads them, for the project model's opensslProject rule. */
function fipskitProjects(tree: Tree): NamedProjectFile[] {
  return [...getProjects(tree)].flatMap(([name, project]) => {
    const file = readFipskitFile(tree, project.root);
    return file ? [{ name, config: file as NamedProjectFile['config'] }] : [];
  });
}

/** The project whose OpenSSL a new Python project shares: it must exist and build OpenSSL itself. */
function sharedOpenSsl(tree: Tree, name: string): { project: string; outputDir: string; profile: FipsProfile } {
  const project = getProjects(tree).get(name);
  const file = project ? readFipskitFile(tree, project.root) : undefined;
  if (file?.openssl && !file.opensslProject)
    return { project: name, outputDir: file.outputDir ?? `dist/${name}`, profile: file.profile ?? DEFAULT_FIPS_PROFILE };
  if (project && !file && project.targets?.openssl?.executor === EXECUTORS.openssl) {
    throw new Error(
      `opensslProject "${name}" has its stages written out in its project.json, and a project's stages are inferred from fipskit.json files: ` +
        `convert it first (nx g fipskit:convert-to-inferred --project=${name}), then generate this project.`,
    );
  }
  throw new Error(`opensslProject "${name}" is not a fipskit project with an OpenSSL of its own: name one generated without --opensslProject.`);
}

/** Options that choose the OpenSSL, which a project sharing another project's OpenSSL takes from that project. */
const OPENSSL_OPTIONS = [
  'opensslSource',
  'opensslVersion',
  'opensslSha256',
  'opensslPath',
  'opensslRelease',
  'opensslSuites',
  'profile',
  'fipsProviderVersion',
  'fipsProviderSource',
  'fipsProviderPath',
  'fipsProviderRelease',
  'fipsProviderSuites',
] as const;

export async function projectGenerator(tree: Tree, rawOptions: ProjectGeneratorOptions): Promise<void> {
  const options: TextVersionOptions = {
    ...rawOptions,
    opensslVersion: versionText('opensslVersion', rawOptions.opensslVersion),
    fipsProviderVersion: versionText('fipsProviderVersion', rawOptions.fipsProviderVersion),
  };
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
  const mode = options.mode ?? defaultMode(platform);
  const mismatch = modeMismatch(mode, platform);
  if (mismatch) throw new Error(mismatch);
  if (mode === 'full' && options.interpreter) throw new Error('mode "full" builds its own interpreter: leave out --interpreter, and give --pythonVersion.');
  const interpreter = mode === 'full' ? undefined : (options.interpreter ?? defaultInterpreter(platform));
  const badInterpreter = interpreter && interpreterProblem(interpreter, platform);
  if (badInterpreter) throw new Error(`--${badInterpreter}`);
  const badOutput = options.outputDir !== undefined && outputDirProblem(options.outputDir);
  if (badOutput) throw new Error(`--${badOutput}`);
  if (!options.pythonVersion && (mode === 'full' || platform !== host)) {
    throw new Error(
      mode === 'full'
        ? 'mode "full" needs --pythonVersion: the CPython release to build (e.g. 3.13.5).'
        : `The interpreter ${interpreter} is on a ${platform} machine and cannot be asked for its version here: pass --pythonVersion (e.g. 3.11.2).`,
    );
  }
  const unsupported = options.pythonVersion && pythonVersionProblem(options.pythonVersion, `--pythonVersion ${options.pythonVersion}`);
  if (unsupported) throw new Error(unsupported);
  const pythonSpec = pythonSourceSpec(options, options.pythonVersion ?? interpreterVersion(interpreter!));
  // Every option is valid by now: the generator says what it cannot check only for a project it writes.
  for (const warning of await unreachableSources([
    { option: 'OpenSSL', localOptions: '--opensslSource=local --opensslPath=<the tarball>', spec: opensslSpec },
    { option: 'FIPS provider', localOptions: '--fipsProviderSource=local --fipsProviderPath=<the tarball>', spec: fipsProviderSpec },
  ])) {
    logger.warn(`fipskit: ${warning}`);
  }
  const openssl = await withSignaturePolicy(tree, 'openssl', opensslSpec);
  const fipsProvider = await withSignaturePolicy(tree, 'openssl', fipsProviderSpec);
  const python = (await withSignaturePolicy(tree, 'cpython', pythonSpec))!;
  // The stages come from fipskit's plugin reading fipskit.json; project.json is where a user overrides one.
  addProjectConfiguration(tree, normalized.name, { root: normalized.directory, projectType: 'application', targets: {} });
  const config: FipskitProject = {
    $schema: schemaReference(normalized.directory),
    platform,
    mode,
    ...(interpreter ? { interpreter } : {}),
    ...(shared ? { opensslProject: shared.project } : { openssl: openssl!, ...(fipsProvider ? { fipsProvider } : {}), profile: normalized.profile }),
    python,
    ...(normalized.outputDir !== `dist/${normalized.name}` ? { outputDir: normalized.outputDir } : {}),
  };
  // The plugin reads the file through the same project model: what it would refuse is refused here, before writing.
  normalizeProject(config, { name: normalized.name, where: `nx g fipskit:project ${normalized.name}`, others: fipskitProjects(tree) });
  writeJson(tree, joinPathFragments(normalized.directory, FIPSKIT_PROJECT_FILE), config);
  await registerPlugin(tree);
  await formatFiles(tree);
}

export default projectGenerator;
