import { ProjectConfiguration, Tree, getProjects, joinPathFragments, readJson } from '@nx/devkit';
import { EXECUTORS } from '../constants';
import { FipskitProject } from './fipskit-json/schema';
import { FIPSKIT_PROJECT_FILE } from './nodes';

/** A fipskit project as a generator sees it in the tree: from its fipskit.json, or from targets written out in project.json. */
export interface TreeFipskitProject {
  name: string;
  root: string;
  project: ProjectConfiguration;
  /** Its fipskit.json, when its stages are inferred by the plugin. */
  file?: FipskitProject;
  platform: FipskitProject['platform'];
  interpreter?: string;
  python?: FipskitProject['python'];
}

/** Where the file's $schema points from `root`: the schema in the installed fipskit package. */
export function schemaReference(root: string): string {
  const depth = root === '.' || root === '' ? 0 : root.split('/').filter(Boolean).length;
  return `${'../'.repeat(depth)}node_modules/fipskit/src/plugins/fipskit-json/schema.json`;
}

export function readFipskitFile(tree: Tree, root: string): FipskitProject | undefined {
  const path = joinPathFragments(root, FIPSKIT_PROJECT_FILE);
  return tree.exists(path) ? readJson<FipskitProject>(tree, path) : undefined;
}

/** Every fipskit project of the workspace: inferred ones (fipskit.json) and ones with their stages written out. */
export function fipskitProjects(tree: Tree): TreeFipskitProject[] {
  const found: TreeFipskitProject[] = [];
  for (const [name, project] of getProjects(tree)) {
    const file = readFipskitFile(tree, project.root);
    if (file) {
      found.push({ name, root: project.root, project, file, platform: file.platform, interpreter: file.interpreter, python: file.python });
      continue;
    }
    const tags = project.tags ?? [];
    if (!tags.includes('fipskit')) continue;
    const targets = Object.values(project.targets ?? {});
    const python = targets.find((target) => target.executor === EXECUTORS.python)?.options;
    const sources = targets.find((target) => target.executor === EXECUTORS.sources)?.options;
    const platform = tags.includes('platform:win32') ? 'win32' : tags.includes('platform:darwin') ? 'darwin' : 'linux';
    found.push({ name, root: project.root, project, platform, interpreter: python?.interpreter, python: sources?.python });
  }
  return found;
}
