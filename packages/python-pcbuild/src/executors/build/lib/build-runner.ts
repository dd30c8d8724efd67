import { ProcessRunner, buildEnvironment, inEnvironment, leftOutWarning } from '@fipskit/core';
import { NormalizedPythonOptions } from './normalize-options';

/**
 * The runner for the build's programs: configure, make, the compiler and MSBuild see only what locates the tools
 * and what the target declares (fetching the source keeps the full environment: apt's proxy settings).
 */
export function pythonBuildRunner(options: NormalizedPythonOptions, runner: ProcessRunner, print: (line: string) => void): ProcessRunner {
  const environment = buildEnvironment(options.environment, options.platform);
  const leftOut = leftOutWarning(environment.leftOut, 'python');
  if (leftOut) print(`[python] warning: ${leftOut}`);
  return inEnvironment(runner, environment.variables);
}
