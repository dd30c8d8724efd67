import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  BuildPlan,
  TargetPlatform,
  echoingRunner,
  ProcessRunner,
  StageLog,
  assertOutputIsOurs,
  MB,
  SpaceNeed,
  assertFreeSpace,
  authenticitySummary,
  explainDiskFull,
  createStaging,
  executePlan,
  extractArchive,
  fetchSource,
  publishOutput,
  buildEnvironment,
  describeBuildEnvironment,
  inEnvironment,
  leftOutWarning,
  sourceDateEpoch,
} from '@fipskit/core';
import { OpenSslBuildOptions } from '../executors/openssl/schema';
import { NormalizedOpenSslOptions, normalizeOptions } from './normalize-options';
import { BuildToolchain, buildOpenSslPlan, configureArguments, openSslLayout } from './openssl-plan';
import { preflightOpenSslBuild } from './preflight';
import { collectBuildInfo, writeBuildInfo } from './build-info';

// The openssl stage's work: the plan (for display on any platform) and the build that runs it. The build executor is a
// shell over this (locks, once per task, results).

/** Toolchain assumed for a plan made on a host that cannot probe the target's tools. */
const ASSUMED_TOOLCHAIN: Record<string, BuildToolchain> = {
  win32: { perl: 'perl', make: 'nmake', nasm: true },
  linux: { perl: 'perl', make: 'make', nasm: false },
  darwin: { perl: 'perl', make: 'make', nasm: false },
};

/** The plan as it would run on a machine of the options' platform, with nothing probed or run. */
export function openSslDisplayPlan(options: NormalizedOpenSslOptions): BuildPlan {
  const toolchain = { ...ASSUMED_TOOLCHAIN[options.platform], ...(options.environment.CL ? { cl: options.environment.CL } : {}) };
  return {
    ...buildOpenSslPlan(options, toolchain, openSslLayout(options, `${options.outputDir}.staging`)),
    environment: describeBuildEnvironment(options.environment, options.platform),
  };
}

/** Plans the build for `platform` from the target's options (its source lock must exist), for display. */
export function planOpenSslBuild(rawOptions: OpenSslBuildOptions, context: { root: string; projectName?: string }, platform: TargetPlatform): BuildPlan {
  return openSslDisplayPlan(normalizeOptions({ ...rawOptions, platform, dryRun: true }, context));
}

export async function buildOpenSsl(options: NormalizedOpenSslOptions, runner: ProcessRunner, print: (line: string) => void): Promise<void> {
  // Everything that can be refused is refused before the first byte is written.
  assertOutputIsOurs(options.outputDir, 'openssl');
  const spaceNeeds = opensslSpaceNeeds(options);
  assertFreeSpace('openssl', spaceNeeds);
  mkdirSync(options.buildDir, { recursive: true });
  // Configure, make and the compilers see only what locates the tools and what the target declares.
  const environment = buildEnvironment(options.environment, options.platform);
  const buildRunner = inEnvironment(runner, environment.variables);
  const preflight = await preflightOpenSslBuild(buildRunner, options.platform, options.buildDir, environment.variables);
  const leftOut = leftOutWarning(environment.leftOut, 'openssl');
  [...(leftOut ? [leftOut] : []), ...preflight.warnings].forEach((w) => print(`[openssl] warning: ${w}`));
  // The private copies of the tarballs go into the build directory, whose free space was checked.
  const ctx = {
    workspaceRoot: options.workspaceRoot,
    cacheDir: options.cacheDir,
    runner,
    privateDir: options.buildDir,
    print: (line: string) => print(line.replace(/^\[sources\]/, '[openssl]')),
  };
  const fetched = await fetchSource(options.source, ctx);
  const fetchedProvider = options.fipsProviderSource ? await fetchSource(options.fipsProviderSource, ctx) : undefined;
  print(`[openssl] ${authenticitySummary(options.source, fetched.authenticity)}`);
  if (fetchedProvider) print(`[openssl] ${authenticitySummary(options.fipsProviderSource!, fetchedProvider.authenticity)}`);

  rmSync(options.logFile, { force: true });
  const staging = createStaging(options.outputDir);
  const layout = openSslLayout(options, staging);
  for (const dir of [layout.objectDir, layout.destDir, layout.providerObjectDir, layout.providerSourceDir, ...(fetched.archive ? [layout.sourceDir] : [])]) {
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(layout.objectDir, { recursive: true });
  if (fetchedProvider) mkdirSync(layout.providerObjectDir, { recursive: true });
  const configureArgs = configureArguments(options, preflight.toolchain);
  const plan = buildOpenSslPlan(options, preflight.toolchain, layout, {
    unpack: async () => {
      if (fetched.archive) await extractArchive(fetched.archive, layout.sourceDir, { stripTopLevel: true });
      // The "built on" date in libcrypto is the source's, so every build of one lock is the same bytes (unless declared).
      environment.variables.SOURCE_DATE_EPOCH ??= sourceDateEpoch(layout.sourceDir);
    },
    unpackProvider: async () => {
      if (fetchedProvider?.archive) await extractArchive(fetchedProvider.archive, layout.providerSourceDir, { stripTopLevel: true });
      else if (fetchedProvider?.directory) throw new Error('The FIPS provider source must be a release tarball: point fipsProvider at one.');
    },
    writeBuildInfo: async () => {
      const recorded = configureArgs;
      const authenticity = { source: fetched.authenticity, ...(fetchedProvider ? { fipsProvider: fetchedProvider.authenticity } : {}) };
      writeBuildInfo(staging, await collectBuildInfo(options, staging, recorded, preflight.identity, authenticity));
    },
    publish: async () => publishOutput(staging, options.outputDir, 'openssl'),
  });
  const log = new StageLog('openssl', options.logFile, plan.steps.length, print);
  const provider = options.fipsProviderSource
    ? `, FIPS provider from OpenSSL ${options.fipsProviderSource.version} (${options.fipsProviderSource.location})`
    : '';
  log.info(
    `OpenSSL ${options.source.version} (${options.source.origin}: ${options.source.location})${provider} for ${options.platform}, full log: ${options.logFile}`,
  );
  try {
    await executePlan(plan, options.verbose ? echoingRunner(buildRunner, print) : buildRunner, log);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw explainDiskFull(error, 'openssl', spaceNeeds);
  }
  log.info(`done: ${options.outputDir}`);
}

/** Measured on Linux x64 (3.0 targeted: 110 MB of sources and objects, 11 MB installed), with room to spare. */
export function opensslSpaceNeeds(options: NormalizedOpenSslOptions): SpaceNeed[] {
  const tree = options.scope === 'full' ? 900 * MB : 300 * MB;
  return [
    { dir: options.buildDir, bytes: tree + (options.fipsProviderSource ? 200 * MB : 0), what: 'the source tree and objects', option: 'buildDir' },
    {
      dir: dirname(options.outputDir),
      bytes: (options.scope === 'full' ? 150 : 50) * MB,
      what: 'the installed prefix (staged beside it)',
      option: 'outputPath',
    },
  ];
}
