import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** GitHub's workflow parser and expression evaluator, run by github-actions.mjs (they ship as ES modules only). */
const ADAPTER = join(__dirname, 'github-actions.mjs');
const JSON_MODULES = join(__dirname, 'json-modules.mjs');

function adapter(args: string[], input?: string): string {
  const result = spawnSync(process.execPath, ['--import', JSON_MODULES, ADAPTER, ...args], { input, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`github-actions.mjs ${args[0]} failed (${result.status}):\n${result.stderr}`);
  return result.stdout;
}

/** The workflow file's errors by GitHub's own schema and parser (empty: valid). */
export function validateWorkflow(file: string): string[] {
  return (JSON.parse(adapter(['validate', file])) as { errors: string[] }).errors;
}

export type JobStatus = 'success' | 'failure';

export interface Evaluated {
  value: unknown;
  truthy: boolean;
  text: string;
}

/** Each expression (without its `${{ }}`) evaluated as GitHub does, with the status functions answering `status`. */
export function evaluateExpressions(expressions: string[], context: Record<string, unknown>, status: JobStatus = 'success'): Evaluated[] {
  if (expressions.length === 0) return [];
  const results = JSON.parse(adapter(['evaluate'], JSON.stringify({ expressions, context, status }))) as Array<Evaluated | { error: string }>;
  return results.map((result) => {
    if ('error' in result) throw new Error(`workflow expression: ${result.error}`);
    return result;
  });
}

const TEMPLATE = /\$\{\{\s*([\s\S]*?)\s*\}\}/g;

/** The expressions inside a value's `${{ }}` markers. */
export function expressionsIn(text: string): string[] {
  return [...text.matchAll(TEMPLATE)].map((match) => match[1]);
}

/**
 * A value with its `${{ }}` markers replaced by what they evaluate to. A value that is one whole expression keeps its
 * type (a `container:` that evaluates to a string or a mapping), as on GitHub.
 */
export function interpolate(value: unknown, context: Record<string, unknown>, status: JobStatus = 'success'): unknown {
  if (typeof value !== 'string') {
    if (Array.isArray(value)) return value.map((item) => interpolate(item, context, status));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item, context, status)]));
    return value;
  }
  const expressions = expressionsIn(value);
  if (expressions.length === 0) return value;
  const results = evaluateExpressions(expressions, context, status);
  const whole = value.trim().match(/^\$\{\{[\s\S]*\}\}$/) && expressions.length === 1;
  if (whole) return results[0].value;
  let index = 0;
  return value.replace(TEMPLATE, () => results[index++].text);
}

/** An `if:` as GitHub reads it: without a status function, `success() && (…)`. */
export function stepCondition(condition: unknown, context: Record<string, unknown>, status: JobStatus): boolean {
  if (condition === undefined || condition === null || condition === '') return status === 'success';
  if (typeof condition === 'boolean') return condition && status === 'success';
  let expression = String(condition).trim();
  const whole = expression.match(/^\$\{\{([\s\S]*)\}\}$/);
  if (whole) expression = whole[1].trim();
  if (!/\b(success|always|failure|cancelled)\s*\(/.test(expression)) expression = `success() && (${expression})`;
  return evaluateExpressions([expression], context, status)[0].truthy;
}
