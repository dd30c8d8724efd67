import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { generateSchemas, main } from './generate-schemas';
import type { OptionsSchema } from './json-schema';

const BUILD_DIR = 'packages/demo/src/executors/build';
const BUILD_DTS = `${BUILD_DIR}/schema.d.ts`;
const BUILD_JSON = `${BUILD_DIR}/schema.json`;

const TSCONFIG = {
  compilerOptions: {
    strict: true,
    target: 'ES2022',
    module: 'commonjs',
    moduleResolution: 'node',
    lib: ['ES2022'],
    baseUrl: '.',
    paths: { '@fixture/core': ['packages/core/src/index.ts'] },
  },
};

/** A shared package the way @fipskit/core is laid out: a public index re-exporting a module of types. */
const CORE_FILES = {
  'packages/core/src/index.ts': "export * from './sources/source-spec';\n",
  'packages/core/src/sources/source-spec.ts': `
/** A tarball on this machine. */
export interface LocalSource {
  kind: 'local';
  /** Path of the tarball. */
  path: string;
}

/** A pinned download. */
export interface UrlSource {
  kind: 'url';
  url: string;
  /** @pattern ^[0-9a-f]{64}$ */
  sha256: string;
}

export type SourceSpec = LocalSource | UrlSource;

/** Which upstream project. */
export type SourceProduct = 'openssl' | 'cpython';
`,
};

const workspaces: string[] = [];
afterAll(() => workspaces.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function createWorkspace(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'fipskit-schemas-'));
  workspaces.push(root);
  writeWorkspaceFiles(root, { 'tsconfig.json': JSON.stringify(TSCONFIG), ...files });
  return root;
}

function writeWorkspaceFiles(root: string, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
}

function readWorkspaceFile(root: string, file: string): string {
  return readFileSync(path.join(root, file), 'utf8');
}

/** The schema generated from one executor's schema.d.ts. */
function schemaFrom(schemaDts: string, files: Record<string, string> = {}): OptionsSchema {
  const { schemas, failures } = generateSchemas(createWorkspace({ [BUILD_DTS]: schemaDts, ...files }));
  expect(failures).toEqual([]);
  expect(schemas).toHaveLength(1);
  return JSON.parse(schemas[0].content);
}

/** The single failure reported for one executor's schema.d.ts. */
function failureFrom(schemaDts: string, files: Record<string, string> = {}): string {
  const { schemas, failures } = generateSchemas(createWorkspace({ [BUILD_DTS]: schemaDts, ...files }));
  expect(schemas).toEqual([]);
  expect(failures).toHaveLength(1);
  return failures[0];
}

function runCli(root: string, ...args: string[]): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(
    [...args, '--root', root],
    (line) => out.push(line),
    (line) => err.push(line),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('the options interface becomes an Nx schema', () => {
  it('emits the Nx draft-07 object with properties in declaration order and optional ones not required', () => {
    const schema = schemaFrom(`
/** Builds the thing. */
export interface BuildOptions {
  zeta: string;
  alpha?: boolean;
  mid: number;
}
`);
    expect(schema).toEqual({
      $schema: 'https://json-schema.org/draft-07/schema',
      version: 2,
      title: 'BuildOptions',
      description: 'Builds the thing.',
      type: 'object',
      properties: { zeta: { type: 'string' }, alpha: { type: 'boolean' }, mid: { type: 'number' } },
      required: ['zeta', 'mid'],
      additionalProperties: false,
    });
    expect(Object.keys(schema)).toEqual(['$schema', 'version', 'title', 'description', 'type', 'properties', 'required', 'additionalProperties']);
    expect(Object.keys(schema.properties)).toEqual(['zeta', 'alpha', 'mid']);
  });

  it('takes the title from @title', () => {
    expect(schemaFrom('/**\n * Builds.\n * @title OpenSSL build\n */\nexport interface BuildOptions { a: string }').title).toBe('OpenSSL build');
  });

  it('picks the one exported *Options or *Schema interface, leaving helpers alone', () => {
    const schema = schemaFrom(`
export interface BuildTarget { triple: string }
export interface BuildSchema { target: BuildTarget }
`);
    expect(schema.title).toBe('BuildSchema');
  });

  it('picks the interface marked @schemaRoot when several names fit', () => {
    const schema = schemaFrom(`
export interface LogOptions { level: string }
/** @schemaRoot */
export interface BuildOptions { log: LogOptions }
`);
    expect(schema.title).toBe('BuildOptions');
    expect(schema.properties.log.properties).toEqual({ level: { type: 'string' } });
  });
});

describe('property rules', () => {
  let properties: OptionsSchema['properties'];
  beforeAll(() => {
    properties = schemaFrom(`
export interface BuildOptions {
  /**
   * Where the prefix goes,
   * wrapped over two lines.
   *
   * A second paragraph.
   */
  described: string;
  /** @default false */
  flag?: boolean;
  /** @default "safe" */
  mode?: 'fast' | 'safe';
  /**
   * @minimum 1
   * @maximum 8
   */
  count?: number;
  /**
   * @integer
   * @minimum 0
   * @default 0
   */
  jobs?: number;
  /** @pattern ^[0-9a-f]{64}$ */
  sha256?: string;
  /** @format path */
  outputPath: string;
  /** @default [] */
  args?: string[];
  ports?: ReadonlyArray<number>;
  env?: Record<string, string>;
  /**
   * @argv 0
   * @prompt What should the project be called?
   */
  name: string;
  /** @hidden used by the e2e harness only */
  harness?: boolean;
  /** @alias v */
  verbose?: boolean;
  /** @visible false */
  cwd?: string;
  /** @deprecated Use outputPath. */
  outDir?: string;
  'dry-run'?: boolean;
  /** @default 3.5 */
  version?: string | number;
}
`).properties;
  });

  it.each<[string, object]>([
    ['described', { description: 'Where the prefix goes, wrapped over two lines.\n\nA second paragraph.', type: 'string' }],
    ['flag', { type: 'boolean', default: false }],
    ['mode', { type: 'string', enum: ['fast', 'safe'], default: 'safe' }],
    ['count', { type: 'number', minimum: 1, maximum: 8 }],
    ['jobs', { type: 'integer', minimum: 0, default: 0 }],
    ['sha256', { type: 'string', pattern: '^[0-9a-f]{64}$' }],
    ['outputPath', { type: 'string', format: 'path' }],
    ['args', { type: 'array', items: { type: 'string' }, default: [] }],
    ['ports', { type: 'array', items: { type: 'number' } }],
    ['env', { type: 'object', additionalProperties: { type: 'string' } }],
    ['name', { type: 'string', $default: { $source: 'argv', index: 0 }, 'x-prompt': 'What should the project be called?' }],
    ['harness', { type: 'boolean', 'x-priority': 'internal' }],
    ['verbose', { type: 'boolean', alias: 'v' }],
    ['cwd', { type: 'string', visible: false }],
    ['outDir', { type: 'string', 'x-deprecated': 'Use outputPath.' }],
    ['dry-run', { type: 'boolean' }],
    // What `nx g` hands over for `--version=3.5`: its argument parser reads numbers.
    ['version', { type: ['string', 'number'], default: 3.5 }],
  ])('%s', (name, expected) => {
    expect(properties[name]).toStrictEqual(expected);
  });
});

describe('nested, imported and union types', () => {
  it('inlines a nested interface and an inline object type, each closed with additionalProperties: false', () => {
    const schema = schemaFrom(`
/** Where logs go. */
interface LogSettings {
  /** Log directory. */
  dir: string;
  level?: 'info' | 'debug';
}
export interface BuildOptions {
  log: LogSettings;
  /** Overrides the interface's description. */
  audit?: LogSettings;
  limits?: { memoryMb?: number };
}
`);
    const logSettings = {
      type: 'object',
      properties: { dir: { description: 'Log directory.', type: 'string' }, level: { type: 'string', enum: ['info', 'debug'] } },
      required: ['dir'],
      additionalProperties: false,
    };
    expect(schema.properties.log).toStrictEqual({ description: 'Where logs go.', ...logSettings });
    expect(schema.properties.audit).toStrictEqual({ description: "Overrides the interface's description.", ...logSettings });
    expect(schema.properties.limits).toStrictEqual({
      type: 'object',
      properties: { memoryMb: { type: 'number' } },
      required: [],
      additionalProperties: false,
    });
  });

  it('includes the properties of an extended interface first', () => {
    const schema = schemaFrom(`
interface CommonOptions { verbose?: boolean }
export interface BuildOptions extends CommonOptions { outputPath: string }
`);
    expect(Object.keys(schema.properties)).toEqual(['verbose', 'outputPath']);
  });

  it('resolves types imported through a tsconfig path mapping and turns a kind-discriminated union into oneOf', () => {
    const schema = schemaFrom(
      `
import type { SourceProduct, SourceSpec } from '@fixture/core';
export interface BuildOptions {
  /** Where the source comes from. */
  source: SourceSpec;
  product?: SourceProduct;
}
`,
      CORE_FILES,
    );
    expect(schema.properties.source).toStrictEqual({
      description: 'Where the source comes from.',
      type: 'object',
      oneOf: [
        {
          description: 'A tarball on this machine.',
          type: 'object',
          properties: { kind: { type: 'string', const: 'local' }, path: { description: 'Path of the tarball.', type: 'string' } },
          required: ['kind', 'path'],
          additionalProperties: false,
        },
        {
          description: 'A pinned download.',
          type: 'object',
          properties: {
            kind: { type: 'string', const: 'url' },
            url: { type: 'string' },
            sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
          },
          required: ['kind', 'url', 'sha256'],
          additionalProperties: false,
        },
      ],
    });
    expect(schema.properties.product).toStrictEqual({
      description: 'Which upstream project.',
      type: 'string',
      enum: ['openssl', 'cpython'],
    });
  });

  it('resolves types imported by a relative path', () => {
    const schema = schemaFrom("import type { Toolchain } from '../../toolchain';\nexport interface BuildOptions { toolchain: Toolchain }", {
      'packages/demo/src/toolchain.ts': "export type Toolchain = 'msvc' | 'gcc';\n",
    });
    expect(schema.properties.toolchain).toStrictEqual({ type: 'string', enum: ['msvc', 'gcc'] });
  });
});

describe('types with no faithful schema fail loudly, naming the file, interface and property', () => {
  const where = `${BUILD_DTS}: BuildOptions.value: `;
  it.each<[string, string, string]>([
    ['a Map', 'value: Map<string, string>;', 'unsupported type `Map<string, string>`'],
    ['any', 'value: any;', 'unsupported type `any`'],
    ['unknown', 'value: unknown;', 'unsupported type `unknown`'],
    ['a function', 'value: () => void;', 'unsupported type `() => void`'],
    ['a mixed union', 'value: string | boolean;', 'unsupported union `string | boolean`'],
    [
      'a union of objects without kind',
      'value: { a: string } | { b: string };',
      'each member of a union of objects needs a required string-literal `kind`; `{ a: string }` has none',
    ],
    ['two union members with the same kind', "value: { kind: 'a' } | { kind: 'a'; x?: string };", "two members of the union have kind 'a'"],
    ['a Record with non-string keys', 'value: Record<number, string>;', 'Record keys must be `string`'],
    ['a @default that is not JSON', "/** @default 'x' */ value?: string;", '@default must be JSON'],
    ['a @default of the wrong type', '/** @default "4" */ value?: number;', '@default "4" is not a number'],
    ['a @default outside the enum', "/** @default \"slow\" */ value?: 'fast' | 'safe';", '@default "slow" is not one of fast, safe'],
    ['@pattern on a boolean', '/** @pattern ^a$ */ value?: boolean;', '@pattern applies to string options'],
    ['@integer on a string', '/** @integer */ value?: string;', '@integer applies to number options'],
    ['a misspelt tag', '/** @defualt 3 */ value?: number;', 'unknown JSDoc tag @defualt'],
    ['a tag written mid-line', '/** Jobs to run @default 3 */ value?: number;', 'JSDoc tag @default must start its own line'],
  ])('%s', (_label, member, problem) => {
    expect(failureFrom(`export interface BuildOptions {\n  ${member}\n}\n`)).toContain(where + problem);
  });

  it('refuses a recursive type', () => {
    expect(failureFrom('interface Tree { children: Tree[] }\nexport interface BuildOptions { value: Tree }')).toContain(
      `${BUILD_DTS}: BuildOptions.value.children: Tree contains itself`,
    );
  });

  it('refuses a method', () => {
    expect(failureFrom('export interface BuildOptions { run(): void }')).toContain('only plain properties can be options');
  });

  it('reports an import that does not resolve with the file and line', () => {
    expect(failureFrom("import type { Missing } from '@fixture/nowhere';\nexport interface BuildOptions { value: Missing }")).toMatch(
      new RegExp(`^${BUILD_DTS}:1: Cannot find module '@fixture/nowhere'`),
    );
  });

  it('asks for @schemaRoot when several interfaces could be the options', () => {
    expect(failureFrom('export interface AOptions { a: string }\nexport interface BOptions { b: string }')).toBe(
      `${BUILD_DTS}: 2 candidate options interfaces (AOptions, BOptions): mark the one to generate with /** @schemaRoot */`,
    );
  });

  it('reports a schema.d.ts with no options interface', () => {
    expect(failureFrom('export interface Helper { a: string }')).toContain('no options interface');
  });
});

describe('npm run schemas and schemas:check', () => {
  const buildOptions = (jobs: string) => `export interface BuildOptions {\n  ${jobs}\n}\n`;
  const JOBS = '/** @default 2 */\n  jobs?: number;';

  it('writes schema.json beside schema.d.ts as 2-space JSON with a final newline, and rewrites nothing when up to date', () => {
    const root = createWorkspace({ [BUILD_DTS]: buildOptions(JOBS) });
    expect(runCli(root)).toMatchObject({ code: 0, out: expect.stringContaining(`wrote ${BUILD_JSON}`) });
    const written = readWorkspaceFile(root, BUILD_JSON);
    expect(written).toBe(`${JSON.stringify(JSON.parse(written), null, 2)}\n`);
    expect(written).toContain('\n  "properties": {\n    "jobs": {\n      "type": "number",\n      "default": 2\n');

    const again = runCli(root);
    expect(again).toMatchObject({ code: 0, out: 'schemas: 0 written, 1 already up to date' });
    expect(readWorkspaceFile(root, BUILD_JSON)).toBe(written);
  });

  it('--check passes when schema.json matches, and fails naming the file once the type changes', () => {
    const root = createWorkspace({ [BUILD_DTS]: buildOptions(JOBS) });
    runCli(root);
    expect(runCli(root, '--check').code).toBe(0);

    writeWorkspaceFiles(root, { [BUILD_DTS]: buildOptions('jobs?: string;') });
    const before = readWorkspaceFile(root, BUILD_JSON);
    const check = runCli(root, '--check');
    expect(check.code).toBe(1);
    expect(check.err).toContain(`${BUILD_JSON} (out of date)`);
    expect(check.err).toContain('Run `npm run schemas`');
    expect(readWorkspaceFile(root, BUILD_JSON)).toBe(before);
  });

  it('--check reports a schema.json that was never generated, or was edited by hand', () => {
    const root = createWorkspace({
      [BUILD_DTS]: buildOptions(JOBS),
      'packages/demo/src/generators/init/schema.d.ts': 'export interface InitOptions { name: string }',
    });
    runCli(root);
    rmSync(path.join(root, 'packages/demo/src/generators/init/schema.json'));
    writeWorkspaceFiles(root, { [BUILD_JSON]: readWorkspaceFile(root, BUILD_JSON).replace('"default": 2', '"default": 3') });

    const check = runCli(root, '--check');
    expect(check.code).toBe(1);
    expect(check.err).toContain(`${BUILD_JSON} (out of date)`);
    expect(check.err).toContain('packages/demo/src/generators/init/schema.json (missing)');
  });

  it('--check accepts a schema.json checked out with CRLF line endings', () => {
    const root = createWorkspace({ [BUILD_DTS]: buildOptions(JOBS) });
    runCli(root);
    writeWorkspaceFiles(root, { [BUILD_JSON]: readWorkspaceFile(root, BUILD_JSON).replace(/\n/g, '\r\n') });
    expect(runCli(root, '--check').code).toBe(0);
  });

  it('fails on a schema.d.ts it cannot convert, and still generates the others', () => {
    const root = createWorkspace({
      [BUILD_DTS]: 'export interface BuildOptions { value: unknown }',
      'packages/demo/src/generators/init/schema.d.ts': 'export interface InitOptions { name: string }',
    });
    const run = runCli(root);
    expect(run.code).toBe(1);
    expect(run.err).toContain(`${BUILD_DTS}: BuildOptions.value: unsupported type \`unknown\``);
    expect(readWorkspaceFile(root, 'packages/demo/src/generators/init/schema.json')).toContain('"title": "InitOptions"');
  });

  it('refuses unknown arguments', () => {
    expect(runCli(createWorkspace({}), '--fix').code).toBe(2);
  });
});

describe('executors.json and generators.json', () => {
  it('accepts entries whose implementation exists and whose schema is generated from a schema.d.ts', () => {
    const root = createWorkspace({
      [BUILD_DTS]: 'export interface BuildOptions { a: string }',
      [`${BUILD_DIR}/executor.ts`]: 'export default async function () { return { success: true }; }\n',
      'packages/demo/executors.json': JSON.stringify({
        executors: { build: { implementation: './src/executors/build/executor', schema: './src/executors/build/schema.json' } },
      }),
      'packages/demo/src/generators/init/schema.d.ts': 'export interface InitOptions { name: string }',
      'packages/demo/src/generators/init/generator.ts': 'export function initGenerator() {}\n',
      'packages/demo/generators.json': JSON.stringify({
        generators: { init: { factory: './src/generators/init/generator#initGenerator', schema: './src/generators/init/schema.json' } },
      }),
    });
    runCli(root);
    expect(runCli(root, '--check')).toMatchObject({ code: 0, err: '' });
  });

  it('reports a missing implementation and a schema with no schema.d.ts beside it', () => {
    const root = createWorkspace({
      'packages/demo/executors.json': JSON.stringify({
        executors: {
          build: { implementation: './src/executors/build/executor', schema: './src/executors/build/schema.json' },
        },
      }),
      'packages/demo/generators.json': JSON.stringify({
        generators: { init: { factory: './src/generators/init/generator' } },
      }),
    });
    const check = runCli(root, '--check');
    expect(check.code).toBe(1);
    expect(check.err.split('\n').slice(1)).toEqual([
      '  packages/demo/executors.json: executor "build": implementation ./src/executors/build/executor does not exist',
      `  packages/demo/executors.json: executor "build": schema ./src/executors/build/schema.json is not generated: ${BUILD_DTS} does not exist`,
      '  packages/demo/generators.json: generator "init": factory ./src/generators/init/generator does not exist',
      '  packages/demo/generators.json: generator "init": has no "schema"',
    ]);
  });
});
