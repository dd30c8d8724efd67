import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { ExecutorContext } from '@nx/devkit';
import {
  ToolRunner,
  ProcessRunner,
  TreeDifference,
  assertOutputIsOurs,
  compareDigests,
  createStaging,
  digestTree,
  executorResult,
  hostPlatform,
  publishOutput,
  readBuildInfo,
  Stage,
} from '@fipskit/core';
import { STAGES, StageTarget, findStageTarget } from '../plan/lib/pipeline-targets';
import { AuditOptions } from './schema';

export const AUDIT_FILE = 'audit.json';

export interface StageAudit {
  stage: 'openssl' | 'python';
  /** project:target whose output was compared. */
  target: string;
  /** The compared output, relative to the workspace. */
  output: string;
  /** The source it was rebuilt from. */
  source: { version: string; sha256: string };
  files: number;
  reproduced: boolean;
  differences: TreeDifference[];
  /** On a difference: where the rebuilt output was kept for inspection. */
  rebuiltKeptAt?: string;
}

/** What audit.json says; verify's evidence cites `fipsModule` for the module it loaded. */
export interface AuditReport {
  schema: 1;
  auditedAt: string;
  stages: StageAudit[];
  /** The FIPS module of the audited OpenSSL output, and whether a rebuild from source gave the same bytes. */
  fipsModule?: { path: string; sha256: string; reproduced: boolean };
}

/** Builds one stage from source with its target's options into `outputPath`, returning the source it built. */
export type StageRebuild = (
  stage: 'openssl' | 'python',
  target: StageTarget,
  overrides: { outputPath: string; buildDir: string },
  ctx: { root: string; runner: ProcessRunner; print: (line: string) => void },
) => Promise<{ version: string; sha256: string }>;

export interface AuditDeps {
  runner?: ProcessRunner;
  print?: (line: string) => void;
  /** The rebuild (default: the stage's own build, run here); unit tests give one that writes a known tree. */
  rebuild?: StageRebuild;
}

/** The stage's own build with its target's options, only the output and scratch directories changed. */
export const rebuildStage: StageRebuild = async (stage, target, overrides, ctx) =>
  stage === 'openssl' ? rebuildWith(STAGES.openssl, target, overrides, ctx) : rebuildWith(STAGES.python, target, overrides, ctx);

async function rebuildWith<Options, Normalized extends { source: { version: string; sha256: string } }>(
  stage: Stage<Options, Normalized>,
  target: StageTarget,
  overrides: { outputPath: string; buildDir: string },
  ctx: { root: string; runner: ProcessRunner; print: (line: string) => void },
): Promise<{ version: string; sha256: string }> {
  const options = stage.options({ ...target.options, ...overrides, dryRun: false }, `${target.project}:${target.target}`);
  const normalized = stage.normalize(options, { root: ctx.root, projectName: target.project });
  await stage.run(normalized, ctx.runner, ctx.print);
  return { version: normalized.source.version, sha256: normalized.source.sha256 };
}

function stageTarget(context: ExecutorContext, stage: 'openssl' | 'python'): StageTarget {
  const executor = STAGES[stage].executor;
  const found = findStageTarget(context, executor);
  if (!found)
    throw new Error(`${context.projectName} has no ${stage} target (executor ${executor}), nor does any project it depends on: there is nothing to audit.`);
  return found;
}

export default async function auditExecutor(options: AuditOptions, context: ExecutorContext, deps: AuditDeps = {}): Promise<{ success: boolean }> {
  const print = deps.print ?? ((line: string) => console.log(line));
  return executorResult('audit', print, async () => {
    const runner = deps.runner ?? new ToolRunner();
    const root = context.root;
    const project = context.projectName ?? 'fipskit';
    const resolve = (path: string) => (isAbsolute(path) ? path : join(root, path));
    const outputDir = resolve(options.outputPath ?? join('dist', project, 'audit'));
    const buildRoot = resolve(options.buildDir ?? join('tmp', 'fipskit', project, 'audit'));
    const stages = options.stages ?? ['openssl', 'python'];
    const unknown = stages.filter((stage) => stage !== 'openssl' && stage !== 'python');
    if (unknown.length) throw new Error(`stages: ${unknown.join(', ')} cannot be audited; choose from openssl and python.`);
    // Everything that can be refused is refused before a rebuild starts.
    assertOutputIsOurs(outputDir, 'audit');
    const targets = stages.map((stage) => ({ stage, target: stageTarget(context, stage) }));
    for (const { stage, target } of targets) {
      const delivered = resolve(String(target.options.outputPath));
      if (!existsSync(join(delivered, '.fipskit-output.json'))) {
        throw new Error(
          `${delivered} holds no ${stage} output to audit: run nx run ${target.project}:${target.target} first (the audit target depends on it).`,
        );
      }
      if (stage === 'python' && hostPlatform() === 'win32') {
        throw new Error(
          'The python stage cannot be audited on Windows: MSVC links a time stamp into every .pyd and DLL, so no two builds are the same bytes. Audit "openssl" only.',
        );
      }
    }

    const report: AuditReport = { schema: 1, auditedAt: new Date().toISOString(), stages: [] };
    for (const [index, { stage, target }] of targets.entries()) {
      print(`[audit] (${index + 1}/${targets.length}) rebuilding ${target.project}:${target.target} from source with no cache`);
      const audit = await auditStage(stage, target, { root, buildRoot, runner, print, rebuild: deps.rebuild ?? rebuildStage });
      report.stages.push(audit);
      print(
        audit.reproduced
          ? `[audit] ${audit.target}: all ${audit.files} entries of ${audit.output} are what the source builds to`
          : `[audit] ${audit.target}: ${audit.differences.length} of ${audit.files} entries differ from a rebuild from source: ${describe(audit.differences)}`,
      );
      if (stage === 'openssl') {
        const info = readBuildInfo(resolve(String(target.options.outputPath)));
        const module = info.fipsProvider.module;
        report.fipsModule = { path: module, sha256: info.artifacts[module], reproduced: !audit.differences.some((d) => d.path === module) };
      }
    }

    const staging = createStaging(outputDir);
    writeFileSync(join(staging, AUDIT_FILE), JSON.stringify(report, null, 2) + '\n');
    publishOutput(staging, outputDir, 'audit');
    const failed = report.stages.filter((s) => !s.reproduced);
    if (failed.length > 0) {
      throw new Error(
        `${failed.map((s) => s.target).join(' and ')} ${failed.length === 1 ? 'is' : 'are'} not what the locked source builds to on this machine ` +
          `(${join(relative(root, outputDir), AUDIT_FILE)} lists each file; the rebuilds are kept beside the outputs). Do not ship it: ` +
          'if it came from a cache, that entry was made by other tools or tampered with. Rebuild with --skip-nx-cache, and find who wrote the entry.',
      );
    }
    print(`[audit] every audited output is what its source builds to; ${join(relative(root, outputDir), AUDIT_FILE)}`);
  });
}

function describe(differences: TreeDifference[]): string {
  const shown = differences
    .slice(0, 8)
    .map((d) => (d.expected === undefined ? `${d.path} (only in the rebuild)` : d.actual === undefined ? `${d.path} (missing from the rebuild)` : d.path));
  return shown.join(', ') + (differences.length > shown.length ? ` and ${differences.length - shown.length} more` : '');
}

interface AuditContext {
  root: string;
  buildRoot: string;
  runner: ProcessRunner;
  print: (line: string) => void;
  rebuild: StageRebuild;
}

/**
 * Rebuilds one stage with its own options into a sibling of its output (the same depth, so the relative paths a
 * Python output holds to its OpenSSL are the same) and compares the two trees.
 */
async function auditStage(stage: 'openssl' | 'python', target: StageTarget, ctx: AuditContext): Promise<StageAudit> {
  const delivered = isAbsolute(String(target.options.outputPath)) ? String(target.options.outputPath) : join(ctx.root, String(target.options.outputPath));
  const rebuilt = `${delivered}.audit`;
  const buildDir = join(ctx.buildRoot, stage);
  mkdirSync(buildDir, { recursive: true });
  const source = await ctx.rebuild(stage, target, { outputPath: rebuilt, buildDir }, ctx);
  const expected = digestTree(delivered);
  const differences = compareDigests(expected, digestTree(rebuilt));
  const reproduced = differences.length === 0;
  if (reproduced) rmSync(rebuilt, { recursive: true, force: true });
  return {
    stage,
    target: `${target.project}:${target.target}`,
    output: relative(ctx.root, delivered),
    source,
    files: Object.keys(expected).length,
    reproduced,
    differences,
    ...(reproduced ? {} : { rebuiltKeptAt: relative(ctx.root, rebuilt) }),
  };
}
