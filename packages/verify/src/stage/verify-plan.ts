import { tmpdir } from 'node:os';
import { BuildPlan, PlanRequest, pathsFor } from '@fipskit/core';
import { VerifyOptions } from '../executors/verify/schema';
import { MovedCopy, PrefixBuildInfo, commonDirectory, resolveVerifyOptions } from './normalize-options';
import { driverCommand, driverConfig } from './verify-driver';
import { SBOM_FILE } from './report';

const noop = async () => undefined;

/** The directory a run makes its work directory in: this machine's, or the usual one of the platform planned for. */
function workParent(request: PlanRequest): string {
  if (request.platform === request.host) return tmpdir();
  return request.platform === 'win32' ? '%TEMP%' : '/tmp';
}

/**
 * What verify does, for a platform, touching nothing: the driver's configuration, the driver run inside the
 * interpreter under test, then the SBOM's validation and the publication of the evidence. The OpenSSL it expects is
 * what the openssl stage's build-info.json will say (`request.openssl`), or says already.
 */
export function planVerify(options: VerifyOptions, request: PlanRequest & { prefixInfo?: PrefixBuildInfo }): BuildPlan {
  const prefixInfo = request.prefixInfo ?? request.openssl;
  if (!prefixInfo) throw new Error('A verify plan needs what the openssl stage records (build-info.json, or the plan of it): plan the openssl stage first.');
  const paths = pathsFor(request.platform);
  // A plan assumes the layout the pipeline makes: a python stage output to move (POSIX), an installed Python on Windows.
  const movedCopy = (python: string, siblings: string[]): MovedCopy => {
    const trees = [...new Set([paths.dirname(paths.dirname(python)), ...siblings])];
    return { root: commonDirectory(trees, paths), trees, python };
  };
  const resolved = resolveVerifyOptions(options, {
    root: request.planRoot,
    projectName: request.projectName,
    platform: request.platform,
    prefixInfo,
    installedWindowsPython: request.platform === 'win32',
    movedCopy,
  });
  const work = paths.join(workParent(request), 'fipskit-verify-XXXXXX');
  const configFile = paths.join(work, 'config.json');
  const staging = `${resolved.outputDir}.staging`;
  const config = driverConfig(resolved, { outputDir: staging, workParent: work });
  return {
    stage: 'verify',
    platform: request.platform,
    steps: [
      {
        kind: 'files',
        title: "The verification driver's configuration",
        operations: [{ op: 'write', to: configFile, content: JSON.stringify(config, null, 2) + '\n' }],
      },
      { kind: 'run', title: `FIPS verification inside ${resolved.python}`, command: driverCommand(resolved.python, configFile, work) },
      {
        kind: 'task',
        title: 'Validate the SBOM',
        detail: `check ${SBOM_FILE} against the CycloneDX schema with CycloneDX's library`,
        perform: noop,
      },
      {
        kind: 'task',
        title: 'Publish the evidence',
        detail: `move ${staging} to ${resolved.outputDir} (only if it is fipskit's own or empty), then remove ${work}`,
        perform: noop,
      },
    ],
  };
}
