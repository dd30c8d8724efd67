import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScriptCheck, ScriptReport } from '../../stage/report';
import { evidencePy, sha256Of, write } from '../../testing/python-harness';
import { Evidence, EvidenceInput, ReportContext, allRequiredPassing, scriptFixture, stageOutputsOnDisk } from './evidence-on-disk';

/**
 * The inputs of fipskit_evidence's golden tests: every scenario the verify stage's report, summary, auditor report and
 * SBOM have a branch for. The expected outputs, in golden/, were written by the TypeScript implementation these
 * functions replaced, from these same inputs; absolute paths under a test's directory appear there as ROOT_TOKEN.
 */
export const ROOT_TOKEN = '@ROOT@';
export const GOLDEN_DIR = join(__dirname, 'golden');

export const toGolden = (text: string, root: string): string => text.split(root).join(ROOT_TOKEN);
export const readGolden = <T = unknown>(name: string): T => JSON.parse(readFileSync(join(GOLDEN_DIR, name), 'utf8'));
export function writeGolden(name: string, value: unknown): void {
  mkdirSync(GOLDEN_DIR, { recursive: true });
  writeFileSync(join(GOLDEN_DIR, name), JSON.stringify(value, null, 2) + '\n');
}
/** A file name for a scenario. */
export const slug = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** Every check fipskit_verify.py reports for these options, as the Python plans them. */
export function planned(profile: string, tls: boolean, platform = 'linux'): Array<{ id: string; required: boolean }> {
  const [checks] = evidencePy([{ fn: 'expected_checks', args: [profile, tls, tls ? 45124 : null, true, { unavailable: 'x' }, platform] }]);
  return checks as Array<{ id: string; required: boolean }>;
}

// The contexts report.spec.ts used, and what the executor planned (the script fixtures were made with the same).
export function contexts() {
  const CONTEXT: ReportContext = {
    generatedAt: '2025-01-02T03:04:05.000Z',
    host: 'builder',
    python: '/w/dist/p/python/bin/python3',
    prefix: '/w/dist/p/openssl',
    opensslVersion: '3.0.22',
    fipsProviderVersion: '3.0.22',
    profile: 'strict',
    tlsServer: '127.0.0.1:45123',
    plannedChecks: planned('strict', true),
  };
  const WITHOUT_TLS: ReportContext = { ...CONTEXT, tlsServer: undefined, plannedChecks: planned('strict', false) };
  delete WITHOUT_TLS.tlsServer;
  const split = (libraries: string, provider: string): ReportContext => ({ ...CONTEXT, opensslVersion: libraries, fipsProviderVersion: provider });
  return { CONTEXT, WITHOUT_TLS, split };
}

export const withProvider = (script: ScriptReport, version: string | null): ScriptReport => ({
  ...script,
  fips_provider: { ...script.fips_provider!, version },
});
export const withoutChecks = (script: ScriptReport, ...ids: string[]): ScriptReport => ({
  ...script,
  checks: script.checks.filter((c) => !ids.includes(c.id)),
});
export const check = (id: string, required: boolean, passed: boolean, detail = ''): ScriptCheck => ({ id, title: id, required, passed, detail });

/** A script whose every field the summary prints is at an edge: nulls, odd statuses, long and multi-line details. */
function edgeScript(): ScriptReport {
  const base = allRequiredPassing();
  return {
    ...base,
    openssl: { version: null, libcrypto_path: null, api_version: null },
    fips_provider: { ...base.fips_provider!, version: '3.0.22', status: 0 },
    providers: [
      { name: 'fips', description: null, version: null, buildinfo: null, status: 0 },
      { name: 'base', description: null, version: '3.0.22', buildinfo: null, status: null },
      { name: 'odd', description: null, version: '1', buildinfo: null, status: true as unknown as number },
      { name: 'float', description: null, version: '1', buildinfo: null, status: 1.0 },
    ],
    startup_errors: ['ImportError: _hashlib refused', 'second | error'],
    checks: [
      ...base.checks.map((c) => (c.id === 'md5-refused' ? { ...c, passed: false, detail: 'line one\n  line two \r\n\tthree\n\n\nfour ' } : c)),
      check('long-surrogate-split', true, false, `${'x'.repeat(399)}😀tail`),
      check('long-exactly-400', true, true, 'y'.repeat(400)),
      check('long-401', true, true, 'z'.repeat(401)),
      check('ünïcødé-😀', false, true, 'NBSP\u00a0\n\u00a0x, NEL\u0085\nx, FS\u001c\ny, BOM\ufeff\nz, LS \u2028\n, VT\v\nw, end\n'),
      check('empty detail', false, true, ''),
    ],
  };
}

/** build_report's and render_summary's scenarios: [name, the script's report, the context]. */
export function buildReportScenarios(): Array<[string, ScriptReport, ReportContext]> {
  const { CONTEXT, WITHOUT_TLS, split } = contexts();
  const noTls = { ...CONTEXT };
  delete noTls.tlsServer;
  return [
    ['every required check passing, FIPS-capable provider', allRequiredPassing(), CONTEXT],
    ['the gh-116800 false green', scriptFixture('checks-fips-by-environment.json'), CONTEXT],
    ['no provider ran (system Python)', scriptFixture('checks-system-python.json'), CONTEXT],
    ['no provider ran, the prefix holds a validated one', { ...allRequiredPassing(), fips_provider: null }, { ...CONTEXT, fipsProviderVersion: '3.1.2' }],
    ['without TLS', withoutChecks(allRequiredPassing(), 'tls12-handshake', 'tls13-handshake', 'non-approved-cipher-refused'), WITHOUT_TLS],
    ['validated provider, claimable', withProvider(allRequiredPassing(), '3.0.9'), split('3.0.9', '3.0.9')],
    ['validated provider 3.0.8', withProvider(allRequiredPassing(), '3.0.8'), split('3.0.8', '3.0.8')],
    ['split build, validated provider', withProvider(allRequiredPassing(), '3.1.2'), split('3.5.7', '3.1.2')],
    ['split build, FIPS-capable provider', allRequiredPassing(), split('3.5.7', '3.0.22')],
    ['validated provider while FIPS mode is not in force', withProvider(scriptFixture('checks-fips-by-environment.json'), '3.0.9'), split('3.0.9', '3.0.9')],
    ['libraries older than every validated provider', withProvider(allRequiredPassing(), '3.0.7'), split('3.0.7', '3.0.7')],
    ['libraries 3.1.2 take every validated provider', withProvider(allRequiredPassing(), '3.1.0'), split('3.1.2', '3.1.0')],
    ['libraries with no version in them', allRequiredPassing(), split('unknown', '3.0.22')],
    ['libraries with a v and a suffix', allRequiredPassing(), split('v3.2-dev', '3.0.22')],
    ['checks the interpreter did not report', withoutChecks(allRequiredPassing(), 'md5-refused', 'tls13-handshake'), CONTEXT],
    ['one failed required check', withoutChecks(allRequiredPassing(), 'md5-refused'), CONTEXT],
    ['an empty report', { ...allRequiredPassing(), checks: [] }, WITHOUT_TLS],
    [
      'recipe-compatible without the provider-set check',
      withoutChecks(allRequiredPassing(), 'only-fips-and-base'),
      { ...CONTEXT, profile: 'recipe-compatible', plannedChecks: planned('recipe-compatible', true) },
    ],
    ['rhel-compatible on Windows', allRequiredPassing(), { ...CONTEXT, profile: 'rhel-compatible', plannedChecks: planned('rhel-compatible', true, 'win32') }],
    ['the provider ran without a version', withProvider(allRequiredPassing(), null), CONTEXT],
    ['the provider ran with an empty version', withProvider(allRequiredPassing(), ''), CONTEXT],
    [
      'the module that ran and the Nx targets, no TLS server',
      withoutChecks(allRequiredPassing(), 'tls12-handshake'),
      {
        ...WITHOUT_TLS,
        fipsModule: {
          path: '/w/fips.so',
          sha256: 'e'.repeat(64),
          builtSha256: 'e'.repeat(64),
          audit: { file: '/w/audit.json', auditedAt: '2026-12-01T12:00:00.000Z', reproduced: true },
          statement: 'The FIPS module that ran is /w/fips.so.',
        },
        targetConfiguration: { sha256: 'f'.repeat(64), projects: ['fips-python', 'openssl-3'] },
      },
    ],
    [
      'a script with more fields than today, integer-like keys among them',
      { ...allRequiredPassing(), fips_module: '/w/fips.so', extra: { b: 1, '2': 'two', a: [1.5, 1e21, 1e-7, -0, 100], '1': null } } as unknown as ScriptReport,
      CONTEXT,
    ],
    ['every summary field at an edge', edgeScript(), noTls],
  ];
}

/** describe_fips_module's cases: [name, the module the script mapped, build-info.json, the audit file]; files under `root`. */
export function fipsModuleCases(root: string): Array<[string, string | null | undefined, unknown, string]> {
  const module = join(root, 'openssl', 'lib', 'ossl-modules', 'fips.so');
  write(module, 'the module');
  write(join(root, 'elsewhere', 'fips.so'), 'another module');
  write(join(root, 'semi;colon', 'fips.so'), 'the module');
  const sha256 = sha256Of(module);
  const info = { fipsProvider: { module: 'lib/ossl-modules/fips.so' }, artifacts: { 'lib/ossl-modules/fips.so': sha256 } };
  const audit = (name: string, content: string | null) => {
    const file = join(root, 'audit', name, 'audit.json');
    if (content !== null) write(file, content);
    return file;
  };
  const auditOf = (fipsModule: unknown, extra: object = {}) =>
    JSON.stringify({ schema: 1, auditedAt: '2026-12-01T12:00:00.000Z', stages: [], fipsModule, ...extra });
  mkdirSync(join(root, 'audit', 'directory', 'audit.json'), { recursive: true });
  return [
    ['no module loaded (null)', null, info, audit('none', null)],
    ['no module loaded (undefined)', undefined, info, audit('none', null)],
    ['no module loaded (empty)', '', info, audit('none', null)],
    ['several modules', `${module}; /elsewhere/fips.so`, info, audit('none', null)],
    ['another module than the one built', join(root, 'elsewhere', 'fips.so'), info, audit('none', null)],
    ['a module whose path has a semicolon', join(root, 'semi;colon', 'fips.so'), info, audit('none', null)],
    ['build-info.json does not list the module', module, { ...info, artifacts: {} }, audit('none', null)],
    ['no audit', module, info, audit('none', null)],
    ['an audit that is not JSON', module, info, audit('broken', '{"auditedAt": ')],
    ['an audit that is JSON null', module, info, audit('null', 'null')],
    ['an audit that is a list', module, info, audit('list', '[1, 2]')],
    ['an audit file that is a directory', module, info, audit('directory', null)],
    ['an audit with no module', module, info, audit('no-module', JSON.stringify({ auditedAt: '2026-12-01T12:00:00.000Z' }))],
    ['an audit of another module', module, info, audit('other', auditOf({ path: 'lib/ossl-modules/fips.so', sha256: 'f'.repeat(64), reproduced: true }))],
    ['an audit whose module has no digest', module, info, audit('no-digest', auditOf({}))],
    ['an audit whose module is 0', module, info, audit('zero', auditOf(0))],
    ['an audit that reproduced the module', module, info, audit('reproduced', auditOf({ path: 'lib/ossl-modules/fips.so', sha256, reproduced: true }))],
    ['an audit that gave other bytes', module, info, audit('other-bytes', auditOf({ path: 'lib/ossl-modules/fips.so', sha256, reproduced: false }))],
    [
      'an audit that reproduced the module but not the rest of the OpenSSL output',
      module,
      info,
      audit(
        'output-differs',
        auditOf(
          { path: 'lib/ossl-modules/fips.so', sha256, reproduced: true },
          { stages: [{ stage: 'openssl', reproduced: false, differences: [{ path: 'lib/libcrypto.so.3' }] }] },
        ),
      ),
    ],
    [
      'an audit whose OpenSSL stage failed without listing a file',
      module,
      info,
      audit(
        'stage-failed',
        auditOf(
          { path: 'lib/ossl-modules/fips.so', sha256, reproduced: true },
          {
            stages: [
              { stage: 'python', reproduced: true },
              { stage: 'openssl', reproduced: false },
            ],
          },
        ),
      ),
    ],
    ['an audit with no date', module, info, audit('no-date', JSON.stringify({ fipsModule: { sha256, reproduced: 'yes' } }))],
    ['an audit with a numeric date', module, info, audit('numeric-date', auditOf({ sha256, reproduced: 1 }, { auditedAt: 1.5 }))],
  ];
}

/** The report of stage outputs written under `dir`, and collect_evidence's arguments for it. */
export type Collect = (dir: string, script: ScriptReport, context: ReportContext, input: Omit<EvidenceInput, 'report'>) => EvidenceInput;

/**
 * The stage outputs on disk in several states, under `root`: collect_evidence's arguments for each (the report made
 * by `report`, which is build_report of the script and context).
 */
export function evidenceInputs(
  root: string,
  report: (script: ScriptReport, context: ReportContext) => EvidenceInput['report'],
): Array<{ name: string; input: EvidenceInput }> {
  const variants: Array<{ name: string; input: EvidenceInput }> = [];
  const add = (name: string, options: Parameters<typeof stageOutputsOnDisk>[1], change?: (dir: string, input: EvidenceInput) => void) => {
    const dir = join(root, String(variants.length));
    const onDisk = stageOutputsOnDisk(dir, options);
    const input: EvidenceInput = { report: report(onDisk.script, onDisk.context), ...onDisk.input };
    change?.(dir, input);
    variants.push({ name, input });
  };
  add('FIPS-capable provider', { providerVersion: '3.0.22' });
  add('split build, validated provider', { providerVersion: '3.0.9', libraryVersion: '3.5.7' });
  add('split build, FIPS-capable provider', { providerVersion: '3.0.22', libraryVersion: '3.5.7' });
  add('FIPS mode not in force', { providerVersion: '3.0.9', script: scriptFixture('checks-fips-by-environment.json') });
  add('no provider ran', { providerVersion: '3.0.22', script: scriptFixture('checks-system-python.json') });
  add('no fips-config.json, no python manifest, a library missing', { providerVersion: '3.0.22' }, (dir) => {
    rmSync(join(dir, 'fips-config', 'fips-config.json'));
    rmSync(join(dir, 'python', 'fipskit-python.json'));
    rmSync(join(dir, 'openssl', 'lib', 'libssl.so.3'));
  });
  add('fips-config.json and the manifest are JSON null', { providerVersion: '3.0.22' }, (dir) => {
    writeFileSync(join(dir, 'fips-config', 'fips-config.json'), 'null');
    writeFileSync(join(dir, 'python', 'fipskit-python.json'), 'null');
  });
  add('more artifacts and modules, some not on disk, a manifest with no signature record', { providerVersion: '3.0.22' }, (dir, input) => {
    const extra = [
      'lib/ossl-modules/legacy.so',
      'lib/Foo_bar.py',
      'lib/foo.bar',
      'lib/foo-bar',
      'ssl/openssl.cnf',
      'lib/engines-3/loader_attic.so',
      'lib/libcrypto.a',
      'lib/2',
      'lib/10',
    ];
    for (const path of extra) write(join(input.prefix, ...path.split('/')), path);
    input.openssl = {
      ...input.openssl,
      artifacts: { ...input.openssl.artifacts, ...Object.fromEntries([...extra, 'lib/not-on-disk.so', '10', '2'].map((p) => [p, ''])) },
    };
    const manifestFile = join(dir, 'python', 'fipskit-python.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    delete manifest.sourceAuthenticity;
    manifest.modules['lib/fipskit/hashlib.py'] = 'z';
    manifest.modules['lib/fipskit/missing.so'] = 'z';
    write(join(dir, 'python', 'lib', 'fipskit', 'hashlib.py'), '# routes hashlib');
    writeFileSync(manifestFile, JSON.stringify(manifest));
  });
  return variants;
}

/** A file's evidence with its SHA-256 replaced: the SBOM must treat a value that is no digest as the library does. */
const damagedDigest = (evidence: Evidence, path: string): Evidence => ({
  ...evidence,
  files: evidence.files.map((f) => (f.path === path ? { ...f, sha256: 'not-a-sha256' } : f)),
});

/** The collected evidence, changed where the auditor report and the SBOM have branches the disk states do not reach. */
export function shapedEvidence(variants: Array<{ name: string; evidence: Evidence }>): Array<{ name: string; evidence: Evidence }> {
  const [first, splitValidated, splitCapable, notInForce, noProvider, nothing] = variants.map((v) => v.evidence);
  const markup = (e: Evidence): Evidence => ({
    ...e,
    report: {
      ...e.report,
      checks: e.report.checks.map((c, i) => ({ ...c, detail: `${c.detail} <b> & "quoted" 'single' | pipe\r\nnext line\nlast${i % 2 ? ' 😀' : ''}` })),
    },
  });
  return [
    ...variants,
    { name: 'markup in every detail', evidence: markup(first) },
    {
      name: 'the module that ran and the Nx targets recorded, no os-fips-switch check',
      evidence: {
        ...splitValidated,
        report: {
          ...splitValidated.report,
          fipsModule: {
            path: '/w/fips.so',
            sha256: 'e'.repeat(64),
            builtSha256: 'e'.repeat(64),
            audit: null,
            statement: 'The FIPS module that ran is /w/fips.so (SHA-256 eee).',
          },
          targetConfiguration: { sha256: 'f'.repeat(64), projects: ['fips-python', 'openssl-3'] },
          checks: splitValidated.report.checks.filter((c) => c.id !== 'os-fips-switch'),
        },
      },
    },
    {
      name: 'a verdict with no full stop, fipsinstall failures and no VERIFY line, odd toolchain values',
      evidence: {
        ...notInForce,
        report: { ...notInForce.report, verdict: { ...notInForce.report.verdict, fipsMode: { inForce: false, summary: 'FIPS mode: unknown' } } },
        fipsinstall: {
          ...notInForce.fipsinstall!,
          securityChecks: false,
          selfTests: ['A : Pass', 'B : Fail', 'C : FAILED', 'D : failure', 'E : PASS'],
          verify: ['checked', 'nothing'],
        },
        openssl: { ...notInForce.openssl, toolchain: { perl: 'perl 5', '2': 'second', make: 4.3, '1': null, compiler: true } },
      },
    },
    {
      name: 'no signature records, no tarball name, no provider certificate standard',
      evidence: {
        ...splitCapable,
        openssl: {
          ...splitCapable.openssl,
          authenticity: undefined,
          source: { ...splitCapable.openssl.source, fileName: undefined, location: "/srv/my source's [tree] {x} <ü>" },
          fipsProvider: {
            ...splitCapable.openssl.fipsProvider,
            validated: true,
            certificate: '4985',
            standard: undefined,
            source: { ...splitCapable.openssl.fipsProvider.source!, location: 'http://example.com/a b/"c"/[d]/{e}/<f>/\'g\'' },
          },
        },
        python: { ...splitCapable.python!, sourceAuthenticity: { status: 'verified', statement: 'Verified, no signer recorded.' } },
        // Owned by the product, not by CPython or OpenSSL: only "python/" and "openssl/" name a stage's tree.
        files: [
          ...splitCapable.files,
          ...['pythonic/x.so', 'openssl-extra/y.so', 'fips-config/ossl-modules/fips.cnf'].map((path) => ({
            role: 'file',
            path,
            absolutePath: `/x/${path}`,
            sha256: 'c'.repeat(64),
          })),
        ],
      },
    },
    {
      name: 'files the SBOM sorts by the collation, one digest damaged, python files without a python stage',
      evidence: damagedDigest(
        {
          ...noProvider,
          python: undefined,
          files: [
            ...noProvider.files,
            ...[
              'openssl/lib/Foo_bar.so',
              'openssl/lib/foo.bar',
              'openssl/lib/foo-bar',
              'openssl/lib/foo_bar',
              'openssl/lib/FOO',
              'openssl/lib/foo1',
              'openssl/lib/foo:2',
              'openssl/lib/foo 3',
              'python/lib/x.so',
              'openssl/lib/ossl-modules/fips.dll',
              'other/thing',
            ].map((path, i) => ({
              role: i % 3 ? 'file' : '',
              path,
              absolutePath: `/x/${path}`,
              sha256: (i % 2 ? 'A' : 'b').repeat(64),
            })),
          ],
        },
        'openssl/lib/foo-bar',
      ),
    },
    { name: 'nothing recorded beyond build-info.json', evidence: nothing },
  ];
}

/** The SBOM's timestamps, one per shaped evidence in turn: every form of ISO 8601 date-time the report may carry. */
export const SBOM_TIMESTAMPS = [
  '2026-11-27T19:00:00Z',
  '2026-12-07T10:00:00.000Z',
  '2026-12-07T12:30:00.123+02:00',
  '2026-12-07',
  '2026-12-07T10:00:00.98765Z',
  '2026-12-31T23:59:59.999-01:30',
];

/** expected_checks' option combinations: every profile, TLS, ChaCha20 port, start modes and moved copy, on every platform. */
export function expectedChecksCombinations(): Array<{
  profile: string;
  tls: boolean;
  chacha?: number;
  startModes: boolean;
  movedCopy?: object;
  platform: string;
}> {
  const combinations: Array<{ profile: string; tls: boolean; chacha?: number; startModes: boolean; movedCopy?: object; platform: string }> = [];
  for (const profile of ['strict', 'rhel-compatible', 'recipe-compatible'])
    for (const tls of [false, true])
      for (const chacha of [undefined, 0, 45124])
        for (const startModes of [false, true])
          for (const movedCopy of [
            undefined,
            { unavailable: 'no space' },
            { root: '/tmp/m', trees: ['python', 'openssl'], python: '/tmp/m/python/bin/python3' },
          ])
            for (const platform of ['linux', 'darwin', 'win32']) combinations.push({ profile, tls, chacha, startModes, movedCopy, platform });
  return combinations;
}

/** One combination in a word each: "strict tls chacha=45124 start-modes moved=root linux". */
export function combinationName(c: ReturnType<typeof expectedChecksCombinations>[number]): string {
  const moved = c.movedCopy ? `moved=${'root' in c.movedCopy ? 'root' : 'unavailable'}` : 'no-moved';
  return [
    c.profile,
    c.tls ? 'tls' : 'no-tls',
    c.chacha === undefined ? 'no-chacha' : `chacha=${c.chacha}`,
    c.startModes ? 'start-modes' : 'no-start-modes',
    moved,
    c.platform,
  ].join(' ');
}
