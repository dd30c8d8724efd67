import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  EMPTY_CONF_CONTENT,
  FipsInstallPaths,
  ProcessRunner,
  StageLog,
  assertOutputIsOurs,
  createStaging,
  providerIsActive,
  providerListCommand,
  publishOutput,
  quoteForPosix,
  readFipsSection,
  renderOpenSslCnf,
  runFipsInstall,
  BINDING_FILE,
  renderBinding,
  sha256File,
} from '@fipskit/core';
import { NormalizedFipsConfigOptions } from './normalize-options';
import { renderActivationScripts } from './activation-scripts';
// The fips-config stage's work: fipsinstall on this machine over the module as it was built, openssl.cnf, the machine
// binding and the activation scripts. The configure executor is a shell over this (a lock, results).

// Plain JS shared with the Nx runtime input, so the cache key and the manifest agree.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bindingHostIdentity, machineIdentity } = require('./machine-identity.js') as {
  machineIdentity: (root: string) => { digest: string; hostname: string };
  bindingHostIdentity: () => { digest: string; hostname: string; machineIdKnown: boolean };
};

export const MANIFEST_FILE = 'fips-config.json';

export async function configureFips(
  options: NormalizedFipsConfigOptions,
  runner: ProcessRunner,
  print: (line: string) => void,
  now: () => Date,
): Promise<void> {
  assertOutputIsOurs(options.outputDir, 'fips-config');
  const moduleSha256 = await assertModuleAsBuilt(options);
  rmSync(options.logFile, { force: true });
  const log = new StageLog('fips-config', options.logFile, 4, print);
  const context = { platform: options.platform };
  const program = options.toProgram;
  const staging = createStaging(options.outputDir);
  try {
    const emptyConf = join(staging, 'empty.cnf');
    writeFileSync(emptyConf, EMPTY_CONF_CONTENT);
    const paths: FipsInstallPaths = { ...options.paths, emptyConf: program(emptyConf) };
    const moduleCnf = join(staging, 'fipsmodule.cnf');
    const runs = await runFipsInstall(runner, log, paths, context, program(moduleCnf), program(staging), { securityChecks: options.securityChecks });
    rmSync(emptyConf);

    log.step(`Write openssl.cnf (profile ${options.profile}) with this machine's FIPS module section, and activation scripts`);
    const fipsSection = readFipsSection(readFileSync(moduleCnf, 'utf8'), moduleCnf);
    writeFileSync(join(staging, 'openssl.cnf'), renderOpenSslCnf(fipsSection, options.profile));
    const scripts = renderActivationScripts(
      {
        scriptDir: program(options.outputDir),
        opensslConf: program(join(options.outputDir, 'openssl.cnf')),
        modulesDir: options.paths.modulesDir,
        binDir: options.paths.binDir,
        libDir: options.paths.libDir,
      },
      options.platform,
    );
    for (const script of scripts) writeFileSync(join(staging, script.name), script.content, { mode: 0o644 });
    // The binding first: on a machine without an id it keeps one, which the cache key's identity then includes.
    const host = bindingHostIdentity();
    const identity = machineIdentity(options.workspaceRoot);
    const ranAt = now().toISOString();
    writeFileSync(join(staging, BINDING_FILE), renderBinding({ kind: 'machine', hostDigest: host.digest, hostname: host.hostname, ranAt }));
    const manifest = {
      profile: options.profile,
      securityChecks: options.securityChecks,
      fipsinstall: {
        ranAt,
        hostname: identity.hostname,
        machineDigest: identity.digest,
        hostDigest: host.digest,
        output: runs.installOutput,
        verify: runs.verifyOutput,
        // The module's MAC as fipsinstall wrote it: a FIPS Python whose provider fails to start compares it with the
        // one its openssl.cnf holds, to tell a changed configuration (run fips-config again) from a changed module.
        moduleMac: /^\s*module-mac\s*=\s*(\S+)\s*$/m.exec(fipsSection)?.[1] ?? null,
      },
      openssl: { version: options.prefixInfo.version, prefix: options.prefix },
      fipsProvider: { ...options.prefixInfo.fipsProvider, sha256: moduleSha256 },
      files: ['fipsmodule.cnf', 'openssl.cnf', BINDING_FILE, ...scripts.map((s) => s.name)],
    };
    writeFileSync(join(staging, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
    // The configuration names no path, so the staged copy proves what the published one will do.
    log.step('openssl list -providers with the new configuration');
    await assertFipsProviderActive(options, runner, log, staging);
    publishOutput(staging, options.outputDir, 'fips-config');
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  log.finish();
  // A line to paste: quoted as the shell that reads it needs (a path may hold spaces, ' or "(x86)").
  log.info(
    options.platform === 'win32'
      ? `done: call "${join(options.outputDir, 'fips-env.cmd')}" to use it`
      : `done: . ${quoteForPosix(join(options.outputDir, 'fips-env.sh'))} to use it`,
  );
}

/**
 * fipsinstall computes a MAC over whatever file it is given, so it would bless a module that was
 * changed after the build. The module must be byte for byte the one the openssl stage recorded.
 */
async function assertModuleAsBuilt(options: NormalizedFipsConfigOptions): Promise<string> {
  const recorded = options.prefixInfo.artifacts[options.prefixInfo.fipsProvider.module];
  const actual = await sha256File(options.hostModule);
  if (recorded !== actual) {
    throw new Error(
      `The FIPS module ${options.hostModule} is not the one the openssl stage built (SHA-256 ${actual}, build-info.json records ${recorded ?? 'none'}). ` +
        'It was changed after the build (patched, signed, replaced): rebuild it with nx run <project>:openssl --skip-nx-cache instead of running fipsinstall over it.',
    );
  }
  return actual;
}

/** The written configuration must load and activate the FIPS provider, or the stage fails. */
async function assertFipsProviderActive(options: NormalizedFipsConfigOptions, runner: ProcessRunner, log: StageLog, dir: string): Promise<void> {
  const conf = options.toProgram(join(dir, 'openssl.cnf'));
  const lines: string[] = [];
  await log.run(runner, providerListCommand(options.paths, { platform: options.platform }, conf, options.toProgram(dir)), { onLine: (l) => lines.push(l) });
  if (!providerIsActive(lines, 'fips')) {
    throw new Error(`The FIPS provider is not active with ${conf}. openssl list -providers said:\n${lines.join('\n')}`);
  }
}
