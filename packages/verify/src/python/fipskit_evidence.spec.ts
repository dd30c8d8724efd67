import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VALIDATED_PROVIDERS, activeProviders } from '@fipskit/core';
import { loadCycloneDx } from '../evidence/sbom';
import type { VerifyReport } from '../stage/report';
import { CERTIFICATES, INTERPRETERS, PythonCall, asJson, callPython, digestsUnder, jsonText } from '../testing/python-harness';
import {
  GOLDEN_DIR,
  SBOM_TIMESTAMPS,
  buildReportScenarios,
  check,
  combinationName,
  evidenceInputs,
  expectedChecksCombinations,
  fipsModuleCases,
  readGolden,
  shapedEvidence,
  slug,
  toGolden,
  writeGolden,
} from './__fixtures__/evidence-scenarios';
import { Evidence } from './__fixtures__/evidence-on-disk';

/**
 * fipskit_evidence.py writes report.json, summary.txt, the auditor report and the SBOM. These tests hold it to golden
 * outputs, in __fixtures__/golden/, that the TypeScript implementation it replaced wrote from the same inputs, byte
 * for byte: what the verify stage writes did not change when it moved to Python. The Python runs with hashlib, ssl,
 * random, uuid, tempfile and secrets refused, as a fipskit Python with FIPS mode broken refuses them.
 */
const ALLOWED_IMPORTS = ['datetime', 'functools', 'json', 'os', 're', 'sys'];
/** The fipskit version the golden SBOMs were written with. */
const GOLDEN_FIPSKIT_VERSION = '0.1.0';
/**
 * FIPSKIT_WRITE_GOLDEN=1 writes the golden files from what the Python writes now, for a change that means to change
 * them; review the diff (git diff __fixtures__/golden) before committing it.
 */
const WRITE_GOLDEN = process.env.FIPSKIT_WRITE_GOLDEN === '1';

describe.each(INTERPRETERS)('fipskit_evidence.py under %s writes what the golden files hold', (interpreter) => {
  const python = (calls: PythonCall[], sha256?: Record<string, string>) => callPython(interpreter, 'fipskit_evidence', calls, sha256);
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'fipskit-evidence-py-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('imports nothing a broken FIPS runtime refuses, and is Python 3.8 syntax', () => {
    const run = spawnSync(
      interpreter,
      [
        '-I',
        '-c',
        [
          'import ast, json, sys',
          'tree = ast.parse(open(sys.argv[1]).read(), feature_version=(3, 8))',
          'names = set()',
          'for node in ast.walk(tree):',
          '    if isinstance(node, ast.Import): names.update(a.name.split(".")[0] for a in node.names)',
          '    if isinstance(node, ast.ImportFrom): names.add((node.module or "").split(".")[0])',
          'print(json.dumps({"imports": sorted(names), "doc": ast.get_docstring(tree)}))',
        ].join('\n'),
        join(__dirname, 'fipskit_evidence.py'),
      ],
      { encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    const { imports, doc } = JSON.parse(run.stdout);
    expect(imports).toEqual(ALLOWED_IMPORTS);
    expect(doc).toMatch(/hashlib, ssl, random, uuid, tempfile or secrets/);
    // The harness refuses those modules; a run that loads the module and calls nothing still passes through it.
    expect(python([{ fn: 'json_text', args: [null] }])).toEqual(['null']);
  });

  it('expected_checks: every option combination, on Linux, macOS and Windows', () => {
    const combinations = expectedChecksCombinations();
    const fromPython = python(
      combinations.map((c) => ({
        fn: 'expected_checks',
        args: [c.profile, c.tls ? { host: '127.0.0.1', port: 1, caFile: 'ca.pem' } : false, c.chacha ?? null, c.startModes, c.movedCopy ?? null, c.platform],
      })),
    ) as Array<Array<{ id: string; required: boolean }>>;
    const grouped: Record<string, string[]> = {};
    fromPython.forEach((checks, i) => (grouped[checks.map((k) => (k.required ? k.id : `(${k.id})`)).join(' ')] ??= []).push(combinationName(combinations[i])));
    if (WRITE_GOLDEN) writeGolden('expected-checks.json', grouped);
    expect(grouped).toEqual(readGolden('expected-checks.json'));
    expect(Object.keys(grouped).length).toBeGreaterThan(5);
  });

  it('cmvp-certificates.json: @fipskit/core and the Python read the same certificates and agree which are active on a day', () => {
    expect(python([{ fn: 'validated_providers', args: [CERTIFICATES] }])).toEqual([VALIDATED_PROVIDERS.map((p) => ({ ...p }))]);
    const days = ['2025-01-02', '2025-03-10', '2025-03-11', '2026-09-20', '2026-09-21', '2026-12-01', '2030-03-10', '2030-03-11'];
    const fromPython = python(days.map((day) => ({ fn: 'active_providers', args: [CERTIFICATES, day] })));
    expect(fromPython).toEqual(asJson(days.map((day) => activeProviders(day))));
    expect((fromPython as Array<Array<{ version: string }>>).map((active) => active.map((p) => p.version).join(' '))).toEqual([
      '3.0.8 3.0.9',
      '3.0.8 3.0.9',
      '3.0.8 3.0.9 3.1.2',
      '3.0.8 3.0.9 3.1.2',
      '3.1.2',
      '3.1.2',
      '3.1.2',
      '',
    ]);
    // Junk never passes for a validated version, and libraries never take a provider newer than themselves.
    const versions = [
      '3.0.22',
      '3.1.0',
      '3.5.7',
      '3.0.7',
      '4.0.0',
      '3',
      '3.1',
      'v3.1.2',
      '3.1.2-dev',
      'OpenSSL 3.0.9 1 Jan 2026',
      '3.01.2',
      '1.1.1w',
      '',
      'garbage',
      '3.0.9.1',
      'x3.0.9',
      '3.0.9\n',
    ];
    const statuses = python(versions.map((v) => ({ fn: 'provider_status', args: [v, CERTIFICATES, '2026-12-01'] }))) as Array<{
      validated: boolean;
      claimable: boolean;
    }>;
    for (const status of statuses) expect(status).toMatchObject({ validated: false, claimable: false });
    const fitting = python(
      ['3.0.22', '3.1.2', '3.5.7', '3.0.7', 'garbage'].map((v) => ({ fn: 'validated_providers_for', args: [v, CERTIFICATES, '2026-12-01'] })),
    ) as Array<Array<{ version: string }>>;
    expect(fitting.map((list) => list.map((p) => p.version))).toEqual([[], ['3.1.2'], ['3.1.2'], [], []]);
  });

  it('build_report: report.json byte for byte, for passing, failing, split, validated and incomplete runs', () => {
    const golden = readGolden<Record<string, { report: unknown }>>('build-report.json');
    const scenarios = buildReportScenarios();
    expect(scenarios.map(([name]) => name)).toEqual(Object.keys(golden));
    const fromPython = python(scenarios.map(([, script, context]) => ({ fn: 'build_report', args: [script, context, CERTIFICATES], json: true })));
    if (WRITE_GOLDEN) {
      const summaries = python(
        scenarios.map(([, script, context]) => ({ fn: ['build_report', 'render_summary'], args: [script, context, CERTIFICATES] })),
      ) as string[];
      writeGolden(
        'build-report.json',
        Object.fromEntries(scenarios.map(([name], i) => [name, { report: JSON.parse(fromPython[i] as string), summary: summaries[i] }])),
      );
      return;
    }
    scenarios.forEach(([name], i) => expect({ name, report: fromPython[i] }).toEqual({ name, report: jsonText(golden[name].report) }));
  });

  it('render_summary: summary.txt byte for byte, from the golden report and from its own', () => {
    const golden = readGolden<Record<string, { report: unknown; summary: string }>>('build-report.json');
    const scenarios = buildReportScenarios();
    const fromPython = python([
      ...scenarios.map(([name]) => ({ fn: 'render_summary', args: [golden[name].report] })),
      ...scenarios.map(([, script, context]) => ({ fn: ['build_report', 'render_summary'], args: [script, context, CERTIFICATES] })),
    ]);
    scenarios.forEach(([name], i) => {
      expect({ name, summary: fromPython[i] }).toEqual({ name, summary: golden[name].summary });
      expect({ name, summary: fromPython[scenarios.length + i] }).toEqual({ name, summary: golden[name].summary });
    });
    expect(fromPython.at(-1)).toContain(`${'x'.repeat(399)}\ud83d… (all of it in report.json)`);
  });

  it('check_verdict and checks_failures_first', () => {
    const checks = [
      check('a', true, true),
      check('b', false, false),
      check('c', true, false),
      check('d', true, true),
      check('e', true, false),
      check('f', false, true),
    ];
    const fromPython = python([...checks.map((c) => ({ fn: 'check_verdict', args: [c] })), { fn: 'checks_failures_first', args: [checks] }]);
    expect(fromPython.slice(0, -1)).toEqual(['PASS', 'INFO', 'FAIL', 'PASS', 'FAIL', 'INFO']);
    expect((fromPython.at(-1) as Array<{ id: string }>).map((c) => c.id)).toEqual(['c', 'e', 'a', 'd', 'b', 'f']);
  });

  it('describe_fips_module: every branch, with the audit file in every state', () => {
    const cases = fipsModuleCases(root);
    const fromPython = python(
      cases.map(([, mapped, buildInfo, auditFile]) => ({
        fn: 'describe_fips_module',
        args: [mapped ?? null, buildInfo, auditFile, 'fips-python', '$sha256_of'],
        json: true,
      })),
      digestsUnder(root),
    ) as string[];
    if (WRITE_GOLDEN) writeGolden('describe-fips-module.json', Object.fromEntries(cases.map(([name], i) => [name, JSON.parse(toGolden(fromPython[i], root))])));
    const golden = readGolden<Record<string, { statement: string }>>('describe-fips-module.json');
    expect(cases.map(([name]) => name)).toEqual(Object.keys(golden));
    cases.forEach(([name], i) => expect({ name, evidence: toGolden(fromPython[i], root) }).toEqual({ name, evidence: jsonText(golden[name]) }));
    const branches = [
      /^No FIPS module/,
      /^More than one/,
      /which is not the module/,
      /It was not audited: [^.]*\.$/,
      /was of another module/,
      /gave the same bytes/,
      /gave other bytes/,
      /gave the same module, but other bytes/,
    ];
    for (const branch of branches) expect(Object.values(golden).map((e) => e.statement)).toContainEqual(expect.stringMatching(branch));
  });

  /** Each state of the stage outputs on disk, collected by the Python, with its golden evidence. */
  function collected(): Array<{ name: string; evidence: Evidence; text: string }> {
    const variants = evidenceInputs(root, (script, context) => python([{ fn: 'build_report', args: [script, context, CERTIFICATES] }])[0] as VerifyReport);
    const texts = python(
      variants.map(({ input }) => ({
        fn: 'collect_evidence',
        args: [input.report, input.prefix, input.openssl, input.fipsConfigDir, input.python, '$sha256_of'],
        json: true,
      })),
      digestsUnder(root),
    ) as string[];
    return variants.map(({ name }, i) => ({ name, evidence: JSON.parse(texts[i]), text: texts[i] }));
  }

  it('collect_evidence: the same files, roles, paths and digests, from every state of the stage outputs', () => {
    const golden = readGolden<Record<string, Evidence>>('collect-evidence.json');
    const variants = collected();
    expect(variants.map((v) => v.name)).toEqual(Object.keys(golden));
    if (WRITE_GOLDEN) writeGolden('collect-evidence.json', Object.fromEntries(variants.map(({ name, text }) => [name, JSON.parse(toGolden(text, root))])));
    else for (const { name, text } of variants) expect({ name, evidence: toGolden(text, root) }).toEqual({ name, evidence: jsonText(golden[name]) });
    expect(variants.at(-1)!.evidence.files.map((f) => f.role)).toEqual(
      expect.arrayContaining(['hash routing module', 'OpenSSL provider module', 'OpenSSL configuration', 'file']),
    );
  });

  it('auditor_sections, render_markdown and render_html: evidence.md and evidence.html byte for byte', () => {
    const variants = shapedEvidence(collected());
    const fromPython = python(
      variants.flatMap(({ evidence }) => [
        { fn: ['auditor_sections', 'render_markdown'], args: [evidence] },
        { fn: ['auditor_sections', 'render_html'], args: [evidence] },
      ]),
    ) as string[];
    if (WRITE_GOLDEN) {
      variants.forEach(({ name }, i) => {
        writeFileSync(join(GOLDEN_DIR, 'auditor', `${slug(name)}.md`), toGolden(fromPython[2 * i], root));
        writeFileSync(join(GOLDEN_DIR, 'auditor', `${slug(name)}.html`), toGolden(fromPython[2 * i + 1], root));
      });
      return;
    }
    variants.forEach(({ name }, i) => {
      const golden = (ext: string) => readFileSync(join(GOLDEN_DIR, 'auditor', `${slug(name)}.${ext}`), 'utf8');
      expect({ name, markdown: toGolden(fromPython[2 * i], root) }).toEqual({ name, markdown: golden('md') });
      expect({ name, html: toGolden(fromPython[2 * i + 1], root) }).toEqual({ name, html: golden('html') });
    });
  });

  it('sbom_json: a CycloneDX 1.6 document the library validates, the same bytes as the library wrote', async () => {
    const cdx = await loadCycloneDx();
    const validator = new cdx.Validation.JsonStrictValidator(cdx.Spec.Version.v1dot6);
    const golden = readGolden<Record<string, { now: string; sbom: string }>>('sbom.json');
    const variants = shapedEvidence(collected());
    expect(variants.map((v) => v.name)).toEqual(Object.keys(golden));
    const cases = variants.map(({ name, evidence }, i) => ({ name, evidence, now: SBOM_TIMESTAMPS[i % SBOM_TIMESTAMPS.length] }));
    const fromPython = python(cases.map(({ evidence, now }) => ({ fn: 'sbom_json', args: [evidence, now, GOLDEN_FIPSKIT_VERSION] }))) as string[];
    if (WRITE_GOLDEN) writeGolden('sbom.json', Object.fromEntries(cases.map(({ name, now }, i) => [name, { now, sbom: toGolden(fromPython[i], root) }])));
    for (const [i, { name, evidence, now }] of cases.entries()) {
      expect(golden[name].now).toBe(now);
      expect({ name, valid: (await validator.validate(fromPython[i])) ?? null }).toEqual({ name, valid: null });
      expect({ name, sbom: toGolden(fromPython[i], root) }).toEqual({ name, sbom: golden[name].sbom });
      if (evidence.files.some((f) => f.sha256 === 'not-a-sha256')) {
        expect(JSON.parse(fromPython[i]).components.find((c: { name: string }) => c.name === 'openssl/lib/foo-bar').hashes).toEqual([]);
      }
    }
  });

  it('json_text is JSON.stringify, parse_json is JSON.parse, encode_text is what Node.js writes', () => {
    const texts = [
      '{"b":1,"2":"two","a":{"10":1,"9":2,"x":[]},"1":null,"01":3,"4294967295":4,"4294967294":5,"-1":6,"e":{}}',
      '[1, 1.0, -0, -0.0, 0.1, 1e21, 1e20, 1e-7, 1e-6, 0.000001234, 123456789012345678901234, 12345678901234567890, 9007199254740993, 1.5e300, 5e-324, 1.7976931348623157e308, 2.5, -3.75e-10, 100]',
      // Infinity, as JSON.parse reads it: JSON.stringify writes null.
      '[1e400, -1e400]',
      '"control \\u0000\\u0001\\b\\t\\n\\f\\r\\u001f\\u007f \\u2028\\u2029 quote\\" backslash\\\\ slash/ é 😀 lone \\ud800 and \\udfff"',
      '[true, false, null, [], {}, [[]], [{}], {"a": [{"b": []}]}]',
      '"<script>&amp;</script>"',
    ];
    const strings = ['plain', 'é😀', 'lone \ud800 high', 'lone \udfff low', '\ud83d', 'end\ud83d\ude00'];
    const fromPython = python([
      ...texts.flatMap((text) => [
        { fn: ['parse_json', 'json_text'], args: [text] },
        { fn: text.includes('e400') ? 'json_text' : 'parse_json', args: [text] },
      ]),
      ...texts.map((text) => ({ fn: 'json_text', args: [JSON.parse(text), 0] })),
      ...strings.map((s) => ({ fn: 'encode_text', args: [s] })),
    ]);
    texts.forEach((text, i) => {
      expect(fromPython[2 * i]).toBe(JSON.stringify(JSON.parse(text), null, 2));
      if (!text.includes('e400')) expect(fromPython[2 * i + 1]).toEqual(JSON.parse(text));
      expect(fromPython[2 * texts.length + i]).toBe(JSON.stringify(JSON.parse(text)));
    });
    strings.forEach((s, i) => expect(fromPython[3 * texts.length + i]).toEqual({ hex: Buffer.from(s, 'utf8').toString('hex') }));
    expect(() => python([{ fn: 'parse_json', args: ['[NaN]'] }])).toThrow(/not JSON: NaN/);
  });

  it("sorts as Node.js's localeCompare does, for the ASCII the SBOM's references hold", () => {
    // A fixed pseudo-random sample: every printable and control character, in short strings that collide often.
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const alphabet = [...Array(128).keys()].map((c) => String.fromCharCode(c));
    const pick = 'aAbB_-.:/0 9zZ';
    const words = Array.from({ length: 3000 }, (_, i) =>
      Array.from({ length: 1 + (next() % 6) }, () => (i % 2 ? pick[next() % pick.length] : alphabet[next() % alphabet.length])).join(''),
    );
    const [fromPython] = python([{ fn: 'locale_sorted', args: [words] }]);
    expect(fromPython).toEqual([...words].sort((a, b) => a.localeCompare(b)));
  });
});
