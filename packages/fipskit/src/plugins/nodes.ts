import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { CreateNodes, CreateNodesResult, ProjectConfiguration } from '@nx/devkit';
import { normalizeProject } from '@fipskit/core/project-options';
import type { ProjectFile } from '@fipskit/core/project-options';
import { StageTargetsInput, stageTargets } from './stage-targets';
import { FipskitProject } from './fipskit-json/schema';
import { EXECUTORS, executorPackage } from '../constants';
import { lockfilePackages } from './installed-packages';

/** fipskit.json's documented schema and the project model's input are one shape: the build fails when they drift apart. */
export const SCHEMA_MATCHES_MODEL: [FipskitProject, ProjectFile] extends [ProjectFile, FipskitProject] ? true : never = true;

/** The file that makes a directory a fipskit project. */
export const FIPSKIT_PROJECT_FILE = 'fipskit.json';

/** The plugin's options in nx.json (none yet: the stages' names are fipskit's). */
export type FipskitPluginOptions = Record<string, never>;

export interface ReadProject {
  file: string;
  root: string;
  name: string;
  config: FipskitProject;
}

/** `shown` names the file in the error: the workspace-relative path the user knows. */
function readJson(file: string, shown = file): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${shown} is not valid JSON: ${(error as Error).message}`);
  }
}

/** The project's name as Nx knows it: its project.json's, else its package.json's, else its directory's. */
function projectName(root: string, workspaceRoot: string): string {
  for (const manifest of ['project.json', 'package.json']) {
    const file = join(workspaceRoot, root, manifest);
    if (!existsSync(file)) continue;
    const name = (readJson(file, join(root, manifest)) as { name?: unknown }).name;
    if (typeof name === 'string' && name) return name;
  }
  return basename(root === '.' ? workspaceRoot : root);
}

function readProject(file: string, workspaceRoot: string): ReadProject {
  const config = readJson(join(workspaceRoot, file), file);
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new Error(`${file} must hold one JSON object (see its $schema).`);
  const root = dirname(file);
  return { file, root, name: projectName(root, workspaceRoot), config: config as FipskitProject };
}

/**
 * What the stage targets are made from: the project model, with the same checks and defaults as the project generator,
 * each failure naming the file and the field to change.
 */
export function stageTargetsInput(project: ReadProject, all: ReadProject[]): StageTargetsInput {
  const { name: _name, ...model } = normalizeProject(project.config, { name: project.name, where: project.file, others: all });
  return model;
}

/** What the plugin gives one project: its stages, its tags, and the project whose OpenSSL it uses. */
export function inferredProject(
  project: ReadProject,
  all: ReadProject[],
  known?: ReadonlySet<string>,
): Pick<ProjectConfiguration, 'targets' | 'tags' | 'implicitDependencies'> {
  const input = { ...stageTargetsInput(project, all), ...(known ? { lockfilePackages: known } : {}) };
  return {
    targets: stageTargets(input),
    tags: ['fipskit', `platform:${input.platform}`],
    ...(input.shared ? { implicitDependencies: [input.shared.project] } : {}),
  };
}

function nodesFor(file: string, workspaceRoot: string, all: () => ReadProject[], known: () => ReadonlySet<string>): CreateNodesResult {
  const project = all().find((candidate) => candidate.file === file) ?? readProject(file, workspaceRoot);
  // Named as project.json or package.json names it, else after its directory: a fipskit.json alone is a project too.
  return { projects: { [project.root]: { name: project.name, ...inferredProject(project, all(), known()) } } };
}

/** The packages of the cached stages. */
const STAGE_PACKAGES = [EXECUTORS.openssl, EXECUTORS.fipsConfig, EXECUTORS.python].map(executorPackage);

/**
 * Infers each fipskit project's stages from its fipskit.json. It reads files only and runs no tool, so the graph
 * stays fast; a broken fipskit.json is reported with its path and leaves every other project in the graph.
 */
export const createNodes: CreateNodes<FipskitPluginOptions> = [
  `**/${FIPSKIT_PROJECT_FILE}`,
  async (configFiles, _options, context) => {
    let cached: ReadProject[] | undefined;
    // Every file is read once; one that cannot be read is left out here and reported by its own entry.
    const all = () =>
      (cached ??= configFiles.flatMap((file) => {
        try {
          return [readProject(file, context.workspaceRoot)];
        } catch {
          return [];
        }
      }));
    let knownPackages: ReadonlySet<string> | undefined;
    const known = () => (knownPackages ??= lockfilePackages(context.workspaceRoot, context.nxJsonConfiguration, STAGE_PACKAGES));
    const results: [string, CreateNodesResult][] = [];
    const errors: [string, Error][] = [];
    for (const file of configFiles) {
      try {
        results.push([file, nodesFor(file, context.workspaceRoot, all, known)]);
      } catch (error) {
        errors.push([file, error as Error]);
      }
    }
    // As @nx/devkit's createNodesFromFiles reports them: every other project stays in the graph. @nx/devkit is loaded
    // only then, because loading it costs every project graph about a quarter of a second.
    if (errors.length) {
      const { AggregateCreateNodesError } = await import('@nx/devkit');
      throw new AggregateCreateNodesError(errors, results);
    }
    return results;
  },
];

/** The same, under the name Nx 19 to 21 look for. */
export const createNodesV2 = createNodes;
