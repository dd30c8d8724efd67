import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { SourceProduct, SourceSpec, lockSignaturePolicy } from '@fipskit/core';
import { OFFICIAL_CPYTHON_RELEASES, PLUGIN_PACKAGES, PLUGIN_VERSION } from '../constants';
import { defaultInterpreter, hostPlatform } from '@fipskit/core';
import { interpreterVersion } from './project/lib/python-source-spec';

/*
 * Every `nx g` example of README.md and of the docs/ pages it links, run through the real Nx CLI in a scratch
 * workspace, in reading order (the README, then its pages as its Documentation table lists them; a later example may use
 * a project an earlier one made): Nx applies the schema's defaults and prompts, which a generator called as a function
 * never sees. The examples are read from the documents, so a new one is tested too.
 */
const REPO = resolve(__dirname, '..', '..', '..', '..');
const README = join(REPO, 'README.md');

/** README.md, then each docs/ page in the order the README links it. */
function documents(): string[] {
  const linked = [...readFileSync(README, 'utf8').matchAll(/\]\((docs\/[\w-]+\.md)\)/g)].map((m) => m[1]);
  return ['README.md', ...new Set(linked)];
}

interface ReadmeExample {
  /** The document that shows it (README.md or a docs/ page), when read from one. */
  file?: string;
  /** Where the document shows it (1-based line). */
  line: number;
  /** As the README writes it. */
  text: string;
  /** The words after `nx g`, as a POSIX shell splits them. */
  args: string[];
}

const COMMAND = /^(?:npx\s+)?nx\s+g(?:enerate)?\s/;

/** Splits a command line as sh does: quotes, backslash escapes, and a `#` comment ending it. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === '#' && word === undefined) {
      break;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated ' in: ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      word = word ?? '';
      for (i++; i < line.length && line[i] !== '"'; i++) {
        // In double quotes a backslash escapes only $ ` " \ (so C:\Python311 stays as written).
        if (line[i] === '\\' && '$`"\\'.includes(line[i + 1] ?? '')) i++;
        word += line[i];
      }
      if (i >= line.length) throw new Error(`unterminated " in: ${line}`);
    } else if (c === '\\') {
      word = (word ?? '') + (line[++i] ?? '');
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/**
 * The `nx g …` commands of a README: lines of its code blocks, and inline code spans (which may wrap onto the
 * next line) in its prose and in its code blocks.
 */
function readmeGeneratorExamples(markdown: string): ReadmeExample[] {
  const found: ReadmeExample[] = [];
  const add = (line: number, text: string) => {
    const words = shellWords(text);
    const g = words.findIndex((w) => w === 'g' || w === 'generate');
    found.push({ line, text, args: words.slice(g + 1) });
  };
  const lines = markdown.split('\n');
  const prose: string[] = [];
  let fenced = false;
  lines.forEach((line, index) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      prose.push('');
      return;
    }
    if (!fenced) {
      prose.push(line);
      return;
    }
    prose.push('');
    const command = line.trim();
    if (COMMAND.test(command)) add(index + 1, command.replace(/\s+#.*$/, ''));
    else for (const span of line.matchAll(/`([^`]+)`/g)) if (COMMAND.test(span[1].trim())) add(index + 1, span[1].trim());
  });
  const text = prose.join('\n');
  for (const span of text.matchAll(/`([^`]+)`/g)) {
    const code = span[1].replace(/\s*\n\s*/g, ' ').trim();
    if (COMMAND.test(code)) add(text.slice(0, span.index).split('\n').length, code);
  }
  return found.sort((a, b) => a.line - b.line);
}

/** The interpreter a project gets by default here, when it is a CPython release fipskit pins (so no --pythonSha256). */
function defaultInterpreterIsPinned(): boolean {
  try {
    return interpreterVersion(defaultInterpreter(hostPlatform())) in OFFICIAL_CPYTHON_RELEASES;
  } catch {
    return false;
  }
}

/** README examples this test does not run (always, or `when` this machine cannot), each with the reason. */
const SKIPPED: Array<{ matches: RegExp; reason: string; when?: () => boolean }> = [
  {
    matches: /^nx g fipskit:project my-fips-python --platform=win32 --interpreter="C:\\Program Files\\Python311\\python\.exe"$/,
    reason:
      'it asks that Windows interpreter for its version, so it runs on a Windows machine with it installed (elsewhere the generator asks for ' +
      '--pythonVersion); there it is the Generators example `nx g fipskit:project my-fips-python` (platform auto, the same default interpreter), which runs here',
  },
  {
    matches: /^npx nx g fipskit:project my-fips-python$/,
    when: () => !defaultInterpreterIsPinned(),
    reason: `this machine's default interpreter is not a CPython release fipskit pins (${Object.keys(OFFICIAL_CPYTHON_RELEASES).join(', ')}), so the example asks for --pythonSha256 here, as the options below it say; Debian 12's /usr/bin/python3 is 3.11.2`,
  },
];

describe('readmeGeneratorExamples', () => {
  it('finds commands in code blocks, with their comments left out, and in inline code that wraps', () => {
    const markdown = [
      '```sh',
      'npx nx g fipskit:init                        # nx.json: no prompts',
      'npx nx run x:build',
      '```',
      'A Windows project (`nx g fipskit:project p --platform=win32 --interpreter="C:\\Program',
      'Files\\Python311\\python.exe"`) runs.',
      '```',
      'fips-python/   produced by `nx g fipskit:project fips-python --opensslSource=debian`,',
      '```',
    ].join('\n');
    expect(readmeGeneratorExamples(markdown)).toEqual([
      { line: 2, text: 'npx nx g fipskit:init', args: ['fipskit:init'] },
      {
        line: 5,
        text: 'nx g fipskit:project p --platform=win32 --interpreter="C:\\Program Files\\Python311\\python.exe"',
        args: ['fipskit:project', 'p', '--platform=win32', '--interpreter=C:\\Program Files\\Python311\\python.exe'],
      },
      { line: 8, text: 'nx g fipskit:project fips-python --opensslSource=debian', args: ['fipskit:project', 'fips-python', '--opensslSource=debian'] },
    ]);
  });

  it.each([
    ['a b  c', ['a', 'b', 'c']],
    [`--x='a b' "c \\"d\\"" e\\ f # g`, ['--x=a b', 'c "d"', 'e f']],
    ['--interpreter="C:\\Python311\\python.exe"', ['--interpreter=C:\\Python311\\python.exe']],
  ])('shellWords(%j)', (line, words) => {
    expect(shellWords(line)).toEqual(words);
  });
});

/** The value of `--name=value` or `--name value` among a command's words. */
function optionValue(args: string[], name: string): string | undefined {
  const index = args.findIndex((word) => word === `--${name}` || word.startsWith(`--${name}=`));
  if (index < 0) return undefined;
  return args[index].includes('=') ? args[index].slice(args[index].indexOf('=') + 1) : args[index + 1];
}

/** How a generated source's signature policy fares in the sources stage's first step, in this workspace. */
async function sourcesStageAccepts(root: string, sources: Record<string, unknown>): Promise<void> {
  const products: Record<string, SourceProduct> = { openssl: 'openssl', fipsProvider: 'openssl', python: 'cpython' };
  for (const [name, product] of Object.entries(products)) {
    if (sources[name]) await lockSignaturePolicy(product, sources[name] as SourceSpec, root);
  }
}

describe('README generator examples through the real Nx CLI', () => {
  const examples = documents().flatMap((file) => readmeGeneratorExamples(readFileSync(join(REPO, file), 'utf8')).map((example) => ({ ...example, file })));
  const nxPackage = require.resolve('nx/package.json', { paths: [REPO] });
  const nxBin = join(dirname(nxPackage), JSON.parse(readFileSync(nxPackage, 'utf8')).bin.nx);
  const devDependencies = {
    ...Object.fromEntries(PLUGIN_PACKAGES.map((name) => [name, PLUGIN_VERSION])),
    nx: JSON.parse(readFileSync(nxPackage, 'utf8')).version,
  };
  const packageJson = JSON.stringify({ name: 'readme-examples', private: true, devDependencies }, null, 2) + '\n';
  let root: string;
  const generated: string[] = [];

  // Nx state of this workspace only; npm never installs anything (init finds the plugins in package.json already).
  const env: NodeJS.ProcessEnv = { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('NX_'))) };
  Object.assign(env, { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0', npm_config_dry_run: 'true' });
  delete env.FIPSKIT_REFRESH_SOURCES;

  function nx(args: string[]): string {
    const result = spawnSync(process.execPath, [nxBin, ...args], { cwd: root, env, encoding: 'utf8', windowsHide: true, timeout: 60_000 });
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
    if (result.status !== 0)
      throw new Error(`nx ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n${output.split('\n').slice(-40).join('\n')}`);
    return output;
  }
  const readJson = (path: string) => JSON.parse(readFileSync(join(root, path), 'utf8'));

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'fipskit-readme-'));
    // A junction on Windows, which needs no administrator rights; node_modules/fipskit is this repository's plugin.
    symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'junction');
    // A user who installed fipskit: its packages are in package.json, so init has nothing to install.
    writeFileSync(join(root, 'package.json'), packageJson);
    writeFileSync(join(root, 'nx.json'), '{}\n');
    // Nx loads the plugin's TypeScript with the workspace tsconfig; its imports resolve as in this repository.
    const base = JSON.parse(readFileSync(join(REPO, 'tsconfig.base.json'), 'utf8'));
    writeFileSync(
      join(root, 'tsconfig.base.json'),
      JSON.stringify({ compilerOptions: { ...base.compilerOptions, baseUrl: REPO }, files: [join(REPO, 'packages', 'fipskit', 'src', 'index.ts')] }, null, 2),
    );
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads the examples from the README and its pages', () => {
    expect(documents()).toEqual(expect.arrayContaining(['README.md', 'docs/stages.md', 'docs/generators.md', 'docs/windows.md']));
    expect(examples.map((e) => e.args[0])).toEqual(
      expect.arrayContaining(['fipskit:init', 'fipskit:project', 'fipskit:ci-workflow', 'fipskit:set-interpreter']),
    );
    // A skip whose example is gone from the README goes too.
    for (const skip of SKIPPED) expect(examples.filter((e) => skip.matches.test(e.text))).toHaveLength(1);
  });

  const skipReason = (example: ReadmeExample) => SKIPPED.find((skip) => skip.matches.test(example.text) && (skip.when?.() ?? true))?.reason;
  for (const example of examples) {
    const reason = skipReason(example);
    const title = `${example.file}:${example.line} \`${example.text}\`${reason ? ` (skipped: ${reason})` : ''}`;
    (reason ? it.skip : it)(title, () => runExample(example), 60_000);
  }

  async function runExample(example: ReadmeExample): Promise<void> {
    const [generator, ...rest] = example.args;
    const output = nx(['g', generator, ...rest, '--no-interactive']);
    switch (generator) {
      case 'fipskit:init': {
        const nxJson = readJson('nx.json');
        // The plugin is registered, and nothing else in nx.json changed.
        expect(nxJson).toEqual({ plugins: [{ plugin: 'fipskit/plugin', options: {} }] });
        expect(readFileSync(join(root, '.gitignore'), 'utf8').split('\n')).toEqual(expect.arrayContaining(['dist/', 'tmp/']));
        expect(readFileSync(join(root, 'package.json'), 'utf8')).toBe(packageJson);
        break;
      }
      case 'fipskit:project': {
        const name = rest[0]?.startsWith('-') === false ? rest[0] : optionValue(rest, 'name')!;
        const directory = optionValue(rest, 'directory') ?? name;
        const file = readJson(`${directory}/fipskit.json`);
        // The stages as Nx resolves them: inferred by the plugin from fipskit.json.
        const project = JSON.parse(nx(['show', 'project', name, '--json']));
        generated.push(name);
        const shared = optionValue(rest, 'opensslProject');
        expect(readJson(`${directory}/project.json`).targets).toEqual({});
        expect(Object.keys(project.targets)).toEqual(
          shared
            ? ['sources', 'python', 'verify', 'build', 'package', 'image', 'compliance', 'doctor', 'plan', 'audit']
            : expect.arrayContaining(['sources', 'openssl', 'fips-config', 'python', 'verify', 'build', 'plan']),
        );
        if (shared) {
          expect(project.implicitDependencies).toEqual([shared]);
          expect(project.targets.python.dependsOn).toEqual([
            'sources',
            { projects: [shared], target: 'openssl' },
            { projects: [shared], target: 'fips-config' },
          ]);
        }
        // The sources stage takes the generated signature policy as it is, in a workspace with no key files.
        const { sources } = project.targets;
        await expect(sourcesStageAccepts(root, sources.options)).resolves.toBeUndefined();
        for (const source of Object.values(sources.options) as Array<{ signature?: { check?: string; reason?: string } }>) {
          if (source?.signature?.check === 'skip') {
            expect(source.signature.reason).toMatch(/whose public keys? this workspace does not hold|fipskit does not pin|cannot tell/);
            expect(source.signature.reason).toMatch(/To check the signature, save .* in the workspace and replace this with signature\.keys/);
            expect(output).toContain(
              `fipskit cannot check the ${source === sources.options.python ? 'CPython' : 'OpenSSL'} release signature with the keys it holds`,
            );
          }
        }
        if (name === 'fips-python') {
          // The README says the committed fips-python is what this example makes: the same fipskit.json.
          expect(file).toEqual(JSON.parse(readFileSync(join(REPO, 'fips-python', 'fipskit.json'), 'utf8')));
        }
        break;
      }
      case 'fipskit:ci-workflow':
        expect(readFileSync(join(root, '.github', 'workflows', 'fipskit.yml'), 'utf8')).toMatch(/nx affected/);
        break;
      case 'fipskit:convert-to-inferred':
        // Every project here came from the generator with a fipskit.json: nothing is written out to convert.
        expect(output).toContain('fipskit: no project has its stages written out; nothing to convert');
        break;
      case 'fipskit:set-interpreter':
        expect(output).toMatch(/fipskit: (.* now uses? |no .* project uses an interpreter other than )/);
        break;
      default:
        throw new Error(`${example.file}:${example.line}: no assertions for ${generator}; add them here`);
    }
  }

  it('nx show project explains every generated project', () => {
    for (const name of generated) {
      const shown = JSON.parse(nx(['show', 'project', name, '--json']));
      expect(shown.name).toBe(name);
      for (const target of ['sources', 'python', 'verify', 'build', 'plan']) expect(shown.targets[target].metadata.description).toMatch(/^.{20,}$/);
    }
    expect(generated.length).toBeGreaterThan(0);
  }, 60_000);

  /*
   * plan builds nothing, but its sources dependency resolves the sources and a Windows plan reads the CPython
   * tarball (PCbuild): from python.org for an official source (left out: beyond Debian's archive), from Debian's
   * archive for a Debian one. Projects sharing another's OpenSSL are left out too: the README's py313 takes
   * python3.13, which only Debian 13's suites carry.
   */
  const network = process.env.FIPSKIT_NETWORK_TESTS === '1' ? it : it.skip;
  network(
    "nx run <project>:plan --platform=win32 for each generated project whose sources all come from Debian (network: Debian's archive)",
    () => {
      const debianOnly = generated.filter((name) => {
        const file = readJson(`${name}/fipskit.json`);
        const specs = [file.openssl, file.fipsProvider, file.python].filter(Boolean);
        return specs.every((spec: { kind: string }) => spec.kind === 'debian') && !file.opensslProject;
      });
      expect(debianOnly.length).toBeGreaterThan(0);
      for (const name of debianOnly) {
        expect(nx(['run', `${name}:plan`, '--platform=win32'])).toMatch(/\[plan\] \d+ steps for win32/);
        expect(existsSync(join(root, 'dist', name, 'plan', 'win32', 'plan.txt'))).toBe(true);
      }
    },
    120_000,
  );
});
