import { ProcessRunner, buildEnvironment, inEnvironment, leftOutWarning } from '@fipskit/core';
import { NormalizedPythonOptions } from './normalize-options';

/**
 * The runner for the build's programs: configure, make, the compiler and MSBuild see only what locates the tools
 * and what the target declares (fetching the source keeps the full environment: apt's proxy settings). `variables`
 * is the environment they get, for what is known only once the source is unpacked (SOURCE_DATE_EPOCH).
 */
export function pythonBuildRunner(
  options: NormalizedPythonOptions,
  runner: ProcessRunner,
  print: (line: string) => void,
): { runner: ProcessRunner; variables: Record<string, string> } {
  const environment = buildEnvironment(options.environment, options.platform);
  const leftOut = leftOutWarning(environment.leftOut, 'python');
  if (leftOut) print(`[python] warning: ${leftOut}`);
  return { runner: inEnvironment(runner, environment.variables), variables: environment.variables };
}
