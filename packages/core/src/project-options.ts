/**
 * The part of the core that reads a project's options without running anything: what Nx's project graph needs
 * from fipskit (the plugin's `fipskit/plugin` entry), kept apart from the rest of the core so that loading the
 * plugin does not load the process runner, the source resolver or the signature checks.
 */
export { DEFAULT_FIPS_PROFILE } from './fips/profiles';
export type { FipsProfile } from './fips/profiles';
export { assertEnvironmentOption } from './process/build-environment';
export {
  FIPS_PROFILES,
  PROJECT_PLATFORMS,
  PYTHON_MODES,
  defaultInterpreter,
  defaultMode,
  interpreterProblem,
  modeMismatch,
  normalizeProject,
  outputDirProblem,
  providerPairingProblem,
} from './project/project-model';
export type { NamedProjectFile, ProjectFile, ProjectModel, ProjectPlatform, PythonMode } from './project/project-model';
