import { ProjectConfiguration, TargetConfiguration, Tree, formatFiles, joinPathFragments, logger, updateProjectConfiguration, writeJson } from '@nx/devkit';
import { DEFAULT_FIPS_PROFILE } from '@fipskit/core';
import { EXECUTORS } from '../../constants';
import { FipskitProject } from '../../plugins/fipskit-json/schema';
import { FIPSKIT_PROJECT_FILE } from '../../plugins/nodes';
import { fipskitProjects, schemaReference } from '../../plugins/fipskit-projects';
import { registerPlugin } from '../../plugins/register-plugin';
import { StageTargetsInput, stageTargets } from '../../plugins/stage-targets';
import { ConvertToInferredGeneratorOptions } from './schema';

type Targets = Record<string, TargetConfiguration>;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => same(item, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => a[k] !== undefined || b[k] !== undefined));
    return [...keys].every((k) => same(a[k], b[k]));
  }
  return a === b;
}

/** A target in project.json over an inferred one, as Nx merges them: options and configurations by key, the rest replaced. */
export function mergeTarget(inferred: TargetConfiguration | undefined, override: TargetConfiguration | undefined): TargetConfiguration | undefined {
  if (!inferred) return override;
  if (!override) return inferred;
  const merged: TargetConfiguration = { ...inferred, ...override };
  if (inferred.options || override.options) merged.options = { ...inferred.options, ...override.options };
  if (inferred.configurations || override.configurations) {
    merged.configurations = { ...inferred.configurations };
    for (const [name, values] of Object.entries(override.configurations ?? {})) merged.configurations[name] = { ...inferred.configurations?.[name], ...values };
  }
  if (inferred.metadata || override.metadata) merged.metadata = { ...inferred.metadata, ...override.metadata };
  return merged;
}

/** What project.json must keep so that, over the inferred target, Nx gives back `written`; undefined when nothing. */
function overrideFor(written: TargetConfiguration, inferred: TargetConfiguration | undefined): TargetConfiguration | undefined {
  if (!inferred) return written;
  const override: Record<string, unknown> = {};
  for (const key of Object.keys(written) as Array<keyof TargetConfiguration>) {
    if (key === 'options' || key === 'configurations' || key === 'metadata') continue;
    if (!same(written[key], inferred[key])) override[key] = written[key];
  }
  const options = Object.fromEntries(Object.entries(written.options ?? {}).filter(([k, v]) => !same(v, inferred.options?.[k])));
  if (Object.keys(options).length) override.options = options;
  const configurations = Object.fromEntries(Object.entries(written.configurations ?? {}).filter(([k, v]) => !same(v, inferred.configurations?.[k])));
  if (Object.keys(configurations).length) override.configurations = configurations;
  const metadata = Object.fromEntries(Object.entries(written.metadata ?? {}).filter(([k, v]) => !same(v, inferred.metadata?.[k])));
  if (Object.keys(metadata).length) override.metadata = metadata;
  return Object.keys(override).length ? (override as TargetConfiguration) : undefined;
}

const byExecutor = (targets: Targets, executor: string) => Object.values(targets).find((target) => target.executor === executor);

interface Derived {
  config: FipskitProject;
  input: StageTargetsInput;
}

/** The fipskit.json a written-out project stands for, from the options the generator put in its targets. */
function derive(name: string, project: ProjectConfiguration, outputDirs: Map<string, { outputDir: string; profile: FipskitProject['profile'] }>): Derived {
  const targets = project.targets ?? {};
  const sources = byExecutor(targets, EXECUTORS.sources)?.options;
  const python = byExecutor(targets, EXECUTORS.python);
  const openssl = byExecutor(targets, EXECUTORS.openssl);
  const fipsConfig = byExecutor(targets, EXECUTORS.fipsConfig);
  if (!sources?.python || !python?.options?.outputPath || !sources.outputPath)
    throw new Error(`${name} has no sources and python targets as fipskit writes them.`);
  const tags = project.tags ?? [];
  const mode = python.options.mode ?? 'overlay';
  const platform: FipskitProject['platform'] =
    tags.includes('platform:win32') || mode === 'pcbuild' ? 'win32' : tags.includes('platform:darwin') ? 'darwin' : 'linux';
  const outputDir = String(sources.outputPath).replace(/\/sources$/, '');
  let shared: StageTargetsInput['shared'];
  let opensslProject: string | undefined;
  if (!openssl) {
    const upstream = (python.dependsOn ?? []).find(
      (d): d is { projects: string[]; target: string } => isObject(d) && (d as { target?: string }).target === 'openssl',
    );
    opensslProject = Array.isArray(upstream?.projects) ? upstream!.projects[0] : undefined;
    const other = opensslProject ? outputDirs.get(opensslProject) : undefined;
    if (!opensslProject || !other)
      throw new Error(`${name} uses another project's OpenSSL, but no fipskit project with an OpenSSL of its own is named in its python target's dependsOn.`);
    shared = { project: opensslProject, outputDir: other.outputDir };
  }
  const profile = fipsConfig?.options?.profile ?? (shared ? outputDirs.get(opensslProject!)?.profile : undefined) ?? DEFAULT_FIPS_PROFILE;
  const config: FipskitProject = {
    $schema: schemaReference(project.root),
    platform,
    mode,
    ...(python.options.interpreter ? { interpreter: python.options.interpreter } : {}),
    ...(opensslProject ? { opensslProject } : { openssl: sources.openssl, ...(sources.fipsProvider ? { fipsProvider: sources.fipsProvider } : {}), profile }),
    python: sources.python,
    ...(outputDir !== `dist/${name}` ? { outputDir } : {}),
  };
  const input: StageTargetsInput = {
    outputDir,
    ...(config.openssl ? { openssl: config.openssl } : {}),
    ...(config.fipsProvider ? { fipsProvider: config.fipsProvider } : {}),
    python: config.python,
    ...(config.interpreter ? { interpreter: config.interpreter } : {}),
    mode,
    platform,
    profile,
    ...(shared ? { shared } : {}),
  };
  return { config, input };
}

/** Converts one project, or says why it cannot be done without changing what Nx runs. */
function convert(
  tree: Tree,
  name: string,
  project: ProjectConfiguration,
  outputDirs: Map<string, { outputDir: string; profile: FipskitProject['profile'] }>,
): string | undefined {
  const { config, input } = derive(name, project, outputDirs);
  const inferred = stageTargets(input);
  const written = project.targets ?? {};
  const overrides: Targets = {};
  for (const [target, configuration] of Object.entries(written)) {
    const override = overrideFor(configuration, inferred[target]);
    if (override) overrides[target] = override;
  }
  // What Nx will resolve must be what project.json said, target by target (descriptions aside).
  const strip = (target: TargetConfiguration | undefined) => (target ? { ...target, metadata: undefined } : undefined);
  const differing = [...new Set([...Object.keys(written), ...Object.keys(inferred)])].filter(
    (target) => !same(strip(mergeTarget(inferred[target], overrides[target])), strip(written[target])),
  );
  if (differing.length) {
    return `${name} was left as it is: the plugin would change its ${differing.join(', ')} target${differing.length === 1 ? '' : 's'} (a setting it infers that project.json does not have). Edit them to match \`nx g fipskit:project\`'s, or keep the project written out.`;
  }
  writeJson(tree, joinPathFragments(project.root, FIPSKIT_PROJECT_FILE), config);
  const tags = (project.tags ?? []).filter((tag) => tag !== 'fipskit' && !tag.startsWith('platform:'));
  const implicitDependencies = (project.implicitDependencies ?? []).filter((dependency) => dependency !== input.shared?.project);
  const { tags: _tags, implicitDependencies: _implicit, ...rest } = project;
  updateProjectConfiguration(tree, name, {
    ...rest,
    ...(tags.length ? { tags } : {}),
    ...(implicitDependencies.length ? { implicitDependencies } : {}),
    targets: overrides,
  });
  return undefined;
}

export async function convertToInferredGenerator(tree: Tree, options: ConvertToInferredGeneratorOptions): Promise<void> {
  const all = fipskitProjects(tree);
  const writtenOut = all.filter((found) => !found.file && found.project.targets && byExecutor(found.project.targets, EXECUTORS.sources));
  if (options.project && !all.some((found) => found.name === options.project)) throw new Error(`${options.project} is not a fipskit project.`);
  const wanted = writtenOut.filter((found) => !options.project || found.name === options.project);
  if (options.project && wanted.length === 0) {
    logger.info(`fipskit: ${options.project}'s stages are already inferred from its ${FIPSKIT_PROJECT_FILE}; nothing to convert`);
    return;
  }
  // Where each OpenSSL project's outputs are, for the projects that use it: converted ones say it in fipskit.json.
  const outputDirs = new Map<string, { outputDir: string; profile: FipskitProject['profile'] }>();
  for (const found of all) {
    if (found.file?.openssl) outputDirs.set(found.name, { outputDir: found.file.outputDir ?? `dist/${found.name}`, profile: found.file.profile });
    const openssl = found.file ? undefined : byExecutor(found.project.targets ?? {}, EXECUTORS.openssl);
    if (openssl) {
      const profile = byExecutor(found.project.targets ?? {}, EXECUTORS.fipsConfig)?.options?.profile;
      outputDirs.set(found.name, { outputDir: String(openssl.options?.outputPath ?? '').replace(/\/openssl$/, ''), profile });
    }
  }
  // A project on another project's OpenSSL needs that project inferred too: the plugin reads its fipskit.json.
  const sharing = (found: (typeof wanted)[number]) => !byExecutor(found.project.targets ?? {}, EXECUTORS.openssl);
  const refused: string[] = [];
  const converted: string[] = [];
  for (const found of [...wanted.filter((f) => !sharing(f)), ...wanted.filter(sharing)]) {
    const problem = convert(tree, found.name, found.project, outputDirs);
    if (problem) refused.push(problem);
    else converted.push(found.name);
  }
  if (converted.length) {
    await registerPlugin(tree);
    logger.info(`fipskit: ${converted.join(', ')} now ${converted.length === 1 ? 'takes its' : 'take their'} stages from ${FIPSKIT_PROJECT_FILE}`);
  }
  refused.forEach((problem) => logger.warn(`fipskit: ${problem}`));
  if (!converted.length && !refused.length) logger.info('fipskit: no project has its stages written out; nothing to convert');
  if (!options.skipFormat) await formatFiles(tree);
}

export default convertToInferredGenerator;
