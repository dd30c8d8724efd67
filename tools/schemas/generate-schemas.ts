// Generates every executor's and generator's schema.json from the option types in the schema.d.ts
// beside it, or with --check verifies that nothing drifted. Run through `npm run schemas[:check]`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Diagnostic, DiagnosticMessageChain, Project } from 'ts-morph';
import { serializeSchema } from './json-schema';
import { buildOptionsSchema, SchemaSourceError } from './options-schema';
import { findManifestProblems } from './plugin-manifests';
import { findSchemaSources, workspacePath } from './workspace-files';
import { OPTIONS_REFERENCE, renderOptionsReference } from './options-reference';

const WORKSPACE_ROOT = path.resolve(__dirname, '..', '..');
const REGENERATE = 'npm run schemas';

export interface GeneratedSchema {
  /** Absolute path of the schema.json to write. */
  schemaJsonPath: string;
  content: string;
}

export interface SchemaGeneration {
  schemas: GeneratedSchema[];
  /** One message per schema.d.ts that could not be converted, naming the file and the option. */
  failures: string[];
}

/** Converts every schema.d.ts under `root`, in memory. */
export function generateSchemas(root: string): SchemaGeneration {
  const sources = findSchemaSources(root);
  if (sources.length === 0) return { schemas: [], failures: [] };
  const tsConfigFilePath = path.join(root, 'tsconfig.json');
  if (!existsSync(tsConfigFilePath)) {
    throw new Error(`${tsConfigFilePath} not found: imported option types (e.g. from @fipskit/core) resolve through it`);
  }
  // skipLibCheck would also skip checking the schema.d.ts files themselves.
  const project = new Project({ tsConfigFilePath, skipAddingFilesFromTsConfig: true, compilerOptions: { skipLibCheck: false } });
  const sourceFiles = sources.map((file) => project.addSourceFileAtPath(file));
  const program = project.getProgram();

  const generation: SchemaGeneration = { schemas: [], failures: [] };
  for (const sourceFile of sourceFiles) {
    const shown = workspacePath(root, sourceFile.getFilePath());
    const diagnostics = [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)];
    if (diagnostics.length > 0) {
      generation.failures.push(...diagnostics.map((d) => `${shown}:${d.getLineNumber() ?? 1}: ${diagnosticText(d)}`));
      continue;
    }
    try {
      const schema: Partial<ReturnType<typeof buildOptionsSchema>> = buildOptionsSchema(sourceFile, shown);
      // A file's schema (src/plugins/…) is not an executor's or generator's: Nx's option-schema version does not apply.
      if (sourceFile.getFilePath().includes('/src/plugins/')) delete schema.version;
      generation.schemas.push({
        schemaJsonPath: path.join(path.dirname(sourceFile.getFilePath()), 'schema.json'),
        content: serializeSchema(schema as ReturnType<typeof buildOptionsSchema>),
      });
    } catch (error) {
      if (!(error instanceof SchemaSourceError)) throw error;
      generation.failures.push(error.message);
    }
  }
  return generation;
}

export type SchemaFileState = 'up to date' | 'written' | 'missing' | 'out of date';

export interface SchemaRun {
  files: { path: string; state: SchemaFileState }[];
  failures: string[];
  manifestProblems: string[];
}

/** Generates (or with `check`, compares) every schema.json under `root` and checks the plugin manifests. */
export function runSchemas({ root, check }: { root: string; check: boolean }): SchemaRun {
  const { schemas, failures } = generateSchemas(root);
  const files = schemas.map(({ schemaJsonPath, content }) => {
    const onDisk = existsSync(schemaJsonPath) ? readFileSync(schemaJsonPath, 'utf8').replace(/\r\n/g, '\n') : undefined;
    let state: SchemaFileState = 'up to date';
    if (onDisk !== content) {
      if (check) {
        state = onDisk === undefined ? 'missing' : 'out of date';
      } else {
        writeFileSync(schemaJsonPath, content);
        state = 'written';
      }
    }
    return { path: workspacePath(root, schemaJsonPath), state };
  });
  // The option reference is rendered from the schemas as they are after this run (written, or checked as on disk).
  if (failures.length === 0 && existsSync(path.join(root, 'docs'))) {
    const referencePath = path.join(root, OPTIONS_REFERENCE);
    const content = renderOptionsReference(root);
    const onDisk = existsSync(referencePath) ? readFileSync(referencePath, 'utf8').replace(/\r\n/g, '\n') : undefined;
    let state: SchemaFileState = 'up to date';
    if (onDisk !== content) {
      if (check) state = onDisk === undefined ? 'missing' : 'out of date';
      else {
        writeFileSync(referencePath, content);
        state = 'written';
      }
    }
    files.push({ path: workspacePath(root, referencePath), state });
  }
  return { files, failures, manifestProblems: findManifestProblems(root) };
}

/** The command line; returns the exit code. */
export function main(argv: string[], print = console.log, printError = console.error): number {
  let check = false;
  let root = WORKSPACE_ROOT;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--check') check = true;
    else if (arg === '--root' && argv[i + 1] !== undefined) root = path.resolve(argv[++i]);
    else if (arg.startsWith('--root=')) root = path.resolve(arg.slice('--root='.length));
    else {
      printError(`unknown argument ${arg}\nusage: generate-schemas [--check] [--root <workspace>]`);
      return 2;
    }
  }

  const run = runSchemas({ root, check });
  let failed = false;
  if (run.failures.length > 0) {
    failed = true;
    printError(`schemas: cannot generate from schema.d.ts:\n${indent(run.failures)}`);
  }
  const drifted = run.files.filter((f) => f.state === 'missing' || f.state === 'out of date');
  if (drifted.length > 0) {
    failed = true;
    printError(
      `schemas: ${drifted.length} generated file(s) (schema.json, docs/options.md) do not match their schema.d.ts:\n` +
        `${indent(drifted.map((f) => `${f.path} (${f.state})`))}\n` +
        `Run \`${REGENERATE}\` and commit the result.`,
    );
  }
  if (run.manifestProblems.length > 0) {
    failed = true;
    printError(`schemas: executors.json/generators.json entries to fix:\n${indent(run.manifestProblems)}`);
  }
  const written = run.files.filter((f) => f.state === 'written');
  for (const file of written) print(`wrote ${file.path}`);
  const upToDate = run.files.filter((f) => f.state === 'up to date').length;
  print(
    check
      ? `schemas: ${upToDate} of ${run.files.length} generated file(s) (schema.json, docs/options.md) up to date`
      : `schemas: ${written.length} written, ${upToDate} already up to date`,
  );
  return failed ? 1 : 0;
}

function indent(lines: string[]): string {
  return lines.map((line) => `  ${line}`).join('\n');
}

function diagnosticText(diagnostic: Diagnostic): string {
  const message = diagnostic.getMessageText();
  return typeof message === 'string' ? message : chainText(message);
}

function chainText(chain: DiagnosticMessageChain): string {
  return [chain.getMessageText(), ...(chain.getNext() ?? []).map(chainText)].join(' ');
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
