import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { findPluginManifests, workspacePath } from './workspace-files';

const MODULE_SUFFIXES = ['', '.ts', '.js', '/index.ts', '/index.js'];

/**
 * Problems with the entries of every packages/<pkg>/{executors,generators}.json: an implementation
 * that does not exist, or a schema that is not the generated schema.json beside a schema.d.ts.
 */
export function findManifestProblems(root: string): string[] {
  return findPluginManifests(root).flatMap((manifestPath) => manifestProblems(root, manifestPath));
}

function manifestProblems(root: string, manifestPath: string): string[] {
  const shown = workspacePath(root, manifestPath);
  const collectionKey = path.basename(manifestPath, '.json') as 'executors' | 'generators';
  const entryKind = collectionKey === 'executors' ? 'executor' : 'generator';
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (error) {
    return [`${shown}: not valid JSON: ${(error as Error).message}`];
  }
  const entries = manifest[collectionKey];
  if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) {
    return [`${shown}: has no "${collectionKey}" object`];
  }

  const problems: string[] = [];
  const manifestDir = path.dirname(manifestPath);
  for (const [name, value] of Object.entries(entries as Record<string, unknown>)) {
    const entry = (value ?? {}) as Record<string, unknown>;
    const where = `${shown}: ${entryKind} "${name}"`;
    const implementationKey = entryKind === 'generator' && entry.factory !== undefined ? 'factory' : 'implementation';
    const implementation = entry[implementationKey];
    if (typeof implementation !== 'string') {
      problems.push(`${where}: has no "${implementationKey}"`);
    } else {
      // Nx allows `./path/to/module#exportName`.
      const modulePath = path.resolve(manifestDir, implementation.split('#')[0]);
      if (!MODULE_SUFFIXES.some((suffix) => isFile(modulePath + suffix))) {
        problems.push(`${where}: ${implementationKey} ${implementation} does not exist`);
      }
    }

    const schema = entry.schema;
    if (typeof schema !== 'string') {
      problems.push(`${where}: has no "schema"`);
      continue;
    }
    const schemaPath = path.resolve(manifestDir, schema);
    const schemaSource = path.join(path.dirname(schemaPath), 'schema.d.ts');
    if (path.basename(schemaPath) !== 'schema.json') {
      problems.push(`${where}: schema ${schema} must be a schema.json generated beside a schema.d.ts`);
    } else if (!existsSync(schemaSource)) {
      problems.push(`${where}: schema ${schema} is not generated: ${workspacePath(root, schemaSource)} does not exist`);
    }
  }
  return problems;
}

function isFile(file: string): boolean {
  return existsSync(file) && statSync(file).isFile();
}
