import { TargetConfiguration, Tree, formatFiles, getProjects, logger, updateProjectConfiguration } from '@nx/devkit';

type Input = NonNullable<TargetConfiguration['inputs']>[number];
import { MACHINE_IDENTITY_INPUT } from '../../constants';

/** The runtime inputs fipskit 0.1 wrote, by a path under node_modules that nested installs and pnpm do not have. */
const OLD_SCRIPT = /^node node_modules\/@fipskit\/(core\/bin\/toolchain-identity\.js|fips-config\/bin\/machine-identity\.js)(.*)$/;

/** Compiler variables fipskit 0.1 keyed the builds on; the builds no longer get them from the environment. */
const OLD_ENV_INPUTS = new Set(['CC', 'CFLAGS', 'LDFLAGS', 'CL', '_CL_', 'VCToolsVersion']);

const FIPSKIT_EXECUTORS = new Set(['@fipskit/openssl-fips:build', '@fipskit/fips-config:configure', '@fipskit/python-pcbuild:build']);

/**
 * fipskit 0.2: stage targets written out in project.json (projects made by 0.1's generator) get the runtime inputs
 * that load their scripts by package name, and lose the compiler variables the builds no longer read (they would
 * only cause cache misses). Everything else in the projects stays as it is; convert-to-inferred moves them to
 * fipskit.json when the user wants.
 */
export default async function updateCacheInputs(tree: Tree): Promise<void> {
  const changed: string[] = [];
  for (const [name, project] of getProjects(tree)) {
    let touched = false;
    for (const target of Object.values(project.targets ?? {})) {
      if (!target.executor || !FIPSKIT_EXECUTORS.has(target.executor) || !target.inputs) continue;
      const inputs = target.inputs.flatMap((input): Input[] => {
        if (typeof input !== 'object' || input === null) return [input];
        if ('env' in input && OLD_ENV_INPUTS.has(String(input.env))) return [];
        if ('runtime' in input && typeof input.runtime === 'string') {
          const old = OLD_SCRIPT.exec(input.runtime);
          if (old) {
            const script = `@fipskit/${old[1]}`;
            return [{ ...input, runtime: script.endsWith('machine-identity.js') ? MACHINE_IDENTITY_INPUT + old[2] : `node -r ${script} -e 0${old[2]}` }];
          }
        }
        return [input];
      });
      if (JSON.stringify(inputs) !== JSON.stringify(target.inputs)) {
        target.inputs = inputs;
        touched = true;
      }
    }
    if (touched) {
      updateProjectConfiguration(tree, name, project);
      changed.push(name);
    }
  }
  if (changed.length) {
    logger.info(
      `fipskit: updated the cache inputs of ${changed.join(', ')} (scripts loaded by package name; no compiler variables, which the builds no longer read). ` +
        'nx g fipskit:convert-to-inferred moves such projects to fipskit.json, so that later fipskit versions update their stages themselves.',
    );
  }
  await formatFiles(tree);
}
