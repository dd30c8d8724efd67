export { default as pythonBuildExecutor, buildPython, planPythonForDisplay } from './executors/build/executor';
export { normalizeOptions as normalizePythonOptions } from './executors/build/lib/normalize-options';
export type { PythonBuildOptions } from './executors/build/schema';
export { PYTHON_MANIFEST } from './executors/build/lib/manifest';
export { buildWindowsInstallPlan, builtFileNames } from './executors/build/lib/windows/windows-plan';
export { defaultBackupDir } from './executors/install/executor';
export { assertOverlayFits, probeInterpreter } from './executors/build/lib/interpreter';
export { checkPythonTask } from './executors/build/lib/windows/windows-plan';
export { findMsbuild } from './executors/build/lib/windows/pcbuild-build';
