export { default as pythonBuildExecutor, buildPython } from './executors/build/executor';
export type { PythonBuildOptions } from './executors/build/schema';
export { PYTHON_MANIFEST } from './executors/build/lib/manifest';
