/**
 * The part of the core that reads a project's options without running anything: what Nx's project graph needs
 * from fipskit (the plugin's `fipskit/plugin` entry), kept apart from the rest of the core so that loading the
 * plugin does not load the process runner, the source resolver or the signature checks.
 */
export { normalizeProject } from './project/project-model';
export type { ProjectFile, ProjectModel } from './project/project-model';
