import { spawn, spawnSync } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { connect } from 'node:tls';
import { createInterface } from 'node:readline';
import { CERTIFICATES_FILE, PRIMARY_PYTHON, PYTHON_DIR, REFUSED_MODULES, callPython, driverSnippet, write } from '../testing/python-harness';
import { VERIFY_DRIVER, VERIFY_SCRIPT, verifyRuntimeFiles } from './verify-files';
import { ALL_PASSING, SYSTEM_OPENSSL, checksRun, fakeInterpreter, withoutTls } from '../stage/__fixtures__/stage-workspace';

// fipskit_verify_run.py, the driver the verify stage and a shipped bundle run: its parts, its TLS servers against the
// system's openssl (in its default provider: what is tested here is starting, serving and stopping), and both modes.
const driver = (calls: Parameters<typeof callPython>[2]) => callPython(PRIMARY_PYTHON, 'fipskit_verify_run', calls);
const withOpenSsl = SYSTEM_OPENSSL && process.platform !== 'win32' ? describe : describe.skip;
const posixOnly = process.platform === 'win32' ? describe.skip : describe;
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const listening = (port: number) =>
  new Promise((done) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), done(true)));
    socket.once('error', () => done(false));
  });

/** The system's openssl as a prefix's, outside FIPS mode (an empty configuration). */
const systemOpenSsl = (dir: string) => {
  writeFileSync(join(dir, 'empty.cnf'), '# empty\n');
  return `r.OpenSsl(${JSON.stringify(SYSTEM_OPENSSL)}, ${JSON.stringify(join(dir, 'empty.cnf'))}, ${JSON.stringify(join(dir, 'modules'))}, "LD_LIBRARY_PATH", ${JSON.stringify(join(dir, 'lib'))}, ":")`;
};

/** Makes the material and starts s_server with `openssl` (a Python expression), shakes hands in TLS 1.2 and 1.3, stops it. */
async function servesTls(dir: string, openssl: string): Promise<void> {
  const code = [
    `o = ${openssl}`,
    'progress = r.Progress(data["log"], quiet=True)',
    'm = r.tls_material(o, progress, data["dir"])',
    'server = r.TlsServer(o.program, o.environment(), m, data["dir"], progress, "[s_server] ")',
    'r.start_tls_servers([server])',
    'print(json.dumps({"port": server.port, "caFile": m["caFile"]}), flush=True)',
    'sys.stdin.readline()',
    'server.stop()',
    'server.stop()',
    'print("stopped", flush=True)',
  ].join('\n');
  const child = spawn(
    PRIMARY_PYTHON,
    [
      '-I',
      '-S',
      '-B',
      '-c',
      `import json, sys\nsys.path.insert(0, sys.argv[1])\nimport fipskit_verify_run as r\ndata = json.loads(sys.argv[2])\n${code}`,
      PYTHON_DIR,
      JSON.stringify({ dir, log: join(dir, 'verify.log') }),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const { port, caFile } = JSON.parse((await lines.next()).value);
  try {
    for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
      const negotiated = await new Promise<{ protocol: string | null; cipher: string }>((done, fail) => {
        const socket = connect({ host: '127.0.0.1', port, ca: readFileSync(caFile), minVersion: version, maxVersion: version }, () => {
          const result = { protocol: socket.getProtocol(), cipher: socket.getCipher().name };
          socket.end();
          done(result);
        });
        socket.once('error', fail);
      });
      expect(negotiated.protocol).toBe(version);
      expect(negotiated.cipher).toMatch(/AES.*GCM/);
    }
  } finally {
    child.stdin!.write('stop\n');
  }
  expect((await lines.next()).value).toBe('stopped');
  await new Promise((done) => child.once('close', done));
  expect(await listening(port)).toBe(false);
  expect(readFileSync(join(dir, 'verify.log'), 'utf8')).toMatch(/^\[s_server\] ACCEPT$/m);
}

describe('fipskit_verify_run.py', () => {
  it('imports nothing a broken FIPS runtime refuses, and is Python 3.8 syntax', () => {
    const run = spawnSync(
      PRIMARY_PYTHON,
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
          'print(json.dumps(sorted(names)))',
        ].join('\n'),
        VERIFY_DRIVER,
      ],
      { encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual([
      'argparse',
      'datetime',
      'fipskit_evidence',
      'json',
      'os',
      're',
      'shutil',
      'socket',
      'subprocess',
      'sys',
      'threading',
      'time',
    ]);
    // Loaded with those modules refused, as in a fipskit Python whose FIPS mode is broken.
    expect(driverSnippet('print(r.TLS_HOST)')).toMatchObject({ stdout: '127.0.0.1\n', status: 0 });
    expect(REFUSED_MODULES).toEqual(expect.arrayContaining(['hashlib', 'ssl', 'random', 'tempfile', 'uuid']));
  });

  describe('checks_arguments', () => {
    const args = (expectations: object, output: string, script = VERIFY_SCRIPT) =>
      driver([{ fn: 'checks_arguments', args: [script, expectations, output] }])[0];

    it('passes the expectations, the profile and the report file', () => {
      expect(args({ opensslVersion: '3.0.22', fipsProviderVersion: '3.0.9', libcryptoDir: '/p/lib', profile: 'strict' }, '/w/checks.json')).toEqual([
        VERIFY_SCRIPT,
        '--expected-openssl-version',
        '3.0.22',
        '--expected-fips-version',
        '3.0.9',
        '--expected-libcrypto-dir',
        '/p/lib',
        '--profile',
        'strict',
        '--output',
        '/w/checks.json',
      ]);
    });

    it('adds the TLS server when there is one', () => {
      expect(
        args({ opensslVersion: '3.0.22', profile: 'recipe-compatible', tls: { host: '127.0.0.1', port: 4433, caFile: '/w/ca.pem' } }, '/w/c.json'),
      ).toEqual([
        VERIFY_SCRIPT,
        '--expected-openssl-version',
        '3.0.22',
        '--profile',
        'recipe-compatible',
        '--tls-host',
        '127.0.0.1',
        '--tls-port',
        '4433',
        '--tls-ca',
        '/w/ca.pem',
        '--output',
        '/w/c.json',
      ]);
    });

    it('passes each start mode and the moved copy to the script', () => {
      const tls = { host: '127.0.0.1', port: 4433, caFile: 'ca.pem' };
      expect(
        args(
          {
            opensslVersion: '3.0.22',
            profile: 'strict',
            tls,
            chachaPort: 4434,
            startModes: true,
            movedCopy: { root: '/d', trees: ['/d/python', '/d/openssl'], python: '/d/python/bin/python3' },
          },
          '/out.json',
          'v.py',
        ),
      ).toEqual([
        'v.py',
        '--expected-openssl-version',
        '3.0.22',
        '--profile',
        'strict',
        '--tls-host',
        '127.0.0.1',
        '--tls-port',
        '4433',
        '--tls-ca',
        'ca.pem',
        '--chacha-port',
        '4434',
        '--start-modes',
        '--moved-copy-root',
        '/d',
        '--moved-copy',
        '/d/python',
        '--moved-copy',
        '/d/openssl',
        '--moved-copy-python',
        '/d/python/bin/python3',
        '--output',
        '/out.json',
      ]);
      expect(args({ opensslVersion: '3.0.22', profile: 'strict', movedCopy: { unavailable: 'not a python stage output' } }, '/o.json', 'v.py')).toEqual([
        'v.py',
        '--expected-openssl-version',
        '3.0.22',
        '--profile',
        'strict',
        '--moved-copy-unavailable',
        'not a python stage output',
        '--output',
        '/o.json',
      ]);
    });
  });

  it("reads the checks' report, or says what is wrong with it", () => {
    const [notJson, noChecks, good] = driver([
      { fn: 'check_script_report', args: ['Traceback (most recent call last):'] },
      { fn: 'check_script_report', args: ['{"checks": 1}'] },
      { fn: 'check_script_report', args: ['{"interpreter": {}, "checks": [{"id": "x", "passed": false}]}'] },
    ]);
    expect(notJson).toMatch(/^its report is not JSON: /);
    expect(noChecks).toBe('its report has no checks');
    expect(good).toEqual({ interpreter: {}, checks: [{ id: 'x', passed: false }] });
  });

  describe('the environments', () => {
    it.each([
      ['LD_LIBRARY_PATH', '/p/lib', ':', '/p/lib:/usr/local/lib'],
      ['DYLD_LIBRARY_PATH', '/p/lib', ':', '/p/lib:/usr/local/lib'],
      // Windows: PATH carries the prefix's bin directory, where its DLLs are.
      ['PATH', '/p/bin', ';', '/p/bin;/usr/local/lib'],
    ])('puts the prefix first on %s and points OpenSSL at the FIPS configuration', (variable, directory, separator, value) => {
      const code = [
        'o = r.OpenSsl("/p/bin/openssl", "/cfg/openssl.cnf", "/p/lib/ossl-modules", data["variable"], data["directory"], data["separator"])',
        'keys = ("OPENSSL_CONF", "OPENSSL_MODULES", "OPENSSL_CONF_INCLUDE", data["variable"])',
        'print(json.dumps([{k: e.get(k) for k in keys} for e in (o.environment(), o.environment("/w/empty.cnf"))]))',
      ].join('\n');
      const { stdout } = driverSnippet(code, { variable, directory, separator }, { env: { [variable]: '/usr/local/lib', OPENSSL_CONF_INCLUDE: '/inc' } });
      const fips = { OPENSSL_CONF: '/cfg/openssl.cnf', OPENSSL_MODULES: '/p/lib/ossl-modules', OPENSSL_CONF_INCLUDE: null, [variable]: value };
      expect(JSON.parse(stdout)).toEqual([fips, { ...fips, OPENSSL_CONF: '/w/empty.cnf' }]);
      const alone = driverSnippet(code, { variable, directory, separator }, { env: {} });
      expect(JSON.parse(alone.stdout)[0][variable]).toBe(directory);
    });

    it('the checks run without every variable that could hand the interpreter a FIPS setup, with what the activation sets', () => {
      const code = 'env = r.isolated_environment(data)\nprint(json.dumps({k: env.get(k) for k in list(r.ISOLATED_VARIABLES) + ["FIPSKIT_KEPT"]}))';
      const parent = {
        OPENSSL_CONF: '/x.cnf',
        OPENSSL_CONF_INCLUDE: '/i',
        OPENSSL_MODULES: '/m',
        LD_LIBRARY_PATH: '/l',
        LD_PRELOAD: '/p.so',
        DYLD_LIBRARY_PATH: '/d',
        DYLD_INSERT_LIBRARIES: '/i.dylib',
        PYTHONPATH: '/pp',
        PYTHONHOME: '/ph',
        FIPSKIT_KEPT: 'yes',
      };
      const variables = driver([{ get: 'ISOLATED_VARIABLES' }])[0] as string[];
      expect(variables).toEqual([
        'OPENSSL_CONF',
        'OPENSSL_CONF_INCLUDE',
        'OPENSSL_MODULES',
        'LD_LIBRARY_PATH',
        'LD_PRELOAD',
        'DYLD_LIBRARY_PATH',
        'DYLD_INSERT_LIBRARIES',
        'PYTHONPATH',
        'PYTHONHOME',
      ]);
      expect(JSON.parse(driverSnippet(code, {}, { env: parent }).stdout)).toEqual({
        ...Object.fromEntries(variables.map((v) => [v, null])),
        FIPSKIT_KEPT: 'yes',
      });
      expect(JSON.parse(driverSnippet(code, { OPENSSL_CONF: '/cfg/openssl.cnf', OPENSSL_MODULES: '/p/mod' }, { env: parent }).stdout)).toMatchObject({
        OPENSSL_CONF: '/cfg/openssl.cnf',
        OPENSSL_MODULES: '/p/mod',
        LD_LIBRARY_PATH: null,
        FIPSKIT_KEPT: 'yes',
      });
    });
  });

  describe('the TLS test server commands', () => {
    it('makes a P-256 CA and a server certificate for 127.0.0.1 signed by it', () => {
      const [commands, extensions, host] = driver([{ fn: 'certificate_commands', args: ['/w'] }, { get: 'SERVER_EXTENSIONS' }, { get: 'TLS_HOST' }]) as [
        Array<[string, string[]]>,
        string,
        string,
      ];
      expect(commands.map(([, args]) => args)).toEqual([
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-sha256',
          '-days',
          '1',
          '-nodes',
          '-subj',
          '/CN=fipskit throwaway test CA',
          '-addext',
          'basicConstraints=critical,CA:TRUE',
          '-addext',
          'keyUsage=critical,keyCertSign,cRLSign',
          '-keyout',
          '/w/ca.key',
          '-out',
          '/w/ca.pem',
        ],
        [
          'req',
          '-new',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-sha256',
          '-nodes',
          '-subj',
          '/CN=127.0.0.1',
          '-keyout',
          '/w/server.key',
          '-out',
          '/w/server.csr',
        ],
        [
          'x509',
          '-req',
          '-in',
          '/w/server.csr',
          '-CA',
          '/w/ca.pem',
          '-CAkey',
          '/w/ca.key',
          '-CAcreateserial',
          '-days',
          '1',
          '-sha256',
          '-extfile',
          '/w/server.ext',
          '-out',
          '/w/server.pem',
        ],
      ]);
      expect(commands.map(([title]) => title)).toEqual([
        'create a throwaway CA (FIPS mode)',
        'create the server key and request (FIPS mode)',
        'sign the server certificate (FIPS mode)',
      ]);
      expect(extensions).toContain('subjectAltName = IP:127.0.0.1\n');
      expect(host).toBe('127.0.0.1');
    });

    it('runs s_server on loopback only, answering every connection until stopped, and the refusal server with ChaCha20 alone', () => {
      const material = { caFile: '/w/ca.pem', certFile: '/w/server.pem', keyFile: '/w/server.key' };
      const [fips, chacha, offer] = driver([
        { fn: 'server_command', args: ['/p/bin/openssl', material, 43111] },
        { fn: 'server_command', args: ['/p/bin/openssl', material, 43112, ['ECDHE-ECDSA-CHACHA20-POLY1305', 'TLS_CHACHA20_POLY1305_SHA256']] },
        { get: 'CHACHA20_ONLY' },
      ]);
      expect(fips).toEqual(['/p/bin/openssl', 's_server', '-accept', '127.0.0.1:43111', '-cert', '/w/server.pem', '-key', '/w/server.key', '-www']);
      expect(chacha).toEqual([
        ...(fips as string[]).slice(0, 3),
        '127.0.0.1:43112',
        ...(fips as string[]).slice(4),
        '-cipher',
        'ECDHE-ECDSA-CHACHA20-POLY1305',
        '-ciphersuites',
        'TLS_CHACHA20_POLY1305_SHA256',
      ]);
      expect(offer).toEqual(['ECDHE-ECDSA-CHACHA20-POLY1305', 'TLS_CHACHA20_POLY1305_SHA256']);
    });
  });
});

withOpenSsl("fipskit_verify_run.py with the system's openssl", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'fipskit-verify-run-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes the CA and a server certificate for 127.0.0.1 signed by it, logging each openssl run', () => {
    const code = `m = r.tls_material(${systemOpenSsl(dir)}, r.Progress(data["log"], quiet=True), data["dir"])\nprint(json.dumps(m))`;
    const run = driverSnippet(code, { dir, log: join(dir, 'verify.log') });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ caFile: join(dir, 'ca.pem'), certFile: join(dir, 'server.pem'), keyFile: join(dir, 'server.key') });
    expect(readFileSync(join(dir, 'server.ext'), 'utf8')).toBe(driver([{ get: 'SERVER_EXTENSIONS' }])[0]);
    const ca = new X509Certificate(readFileSync(join(dir, 'ca.pem')));
    const server = new X509Certificate(readFileSync(join(dir, 'server.pem')));
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.subjectAltName).toBe('IP Address:127.0.0.1');
    expect(ca.ca).toBe(true);
    const log = readFileSync(join(dir, 'verify.log'), 'utf8');
    expect(log.match(/^\$ \S+openssl (req|x509) /gm)!.map((l) => l.split(' ')[2])).toEqual(['req', 'req', 'x509']);
  });

  it('makes the CA and the server request side by side, and reports a failed one only once the other finished, without signing', () => {
    const events = join(dir, 'events');
    const wrapper = join(dir, 'openssl');
    writeFileSync(
      wrapper,
      [
        '#!/bin/sh',
        'if [ "$1" = x509 ]; then what=sign; elif [ "$2" = -x509 ]; then what=ca; else what=request; fi',
        `echo "$what started" >> '${events}'`,
        'if [ $what = ca ]; then echo "req: CA refused"; exit 1; fi',
        'sleep 0.3',
        `echo "$what finished" >> '${events}'`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    const code = [
      `o = ${systemOpenSsl(dir)}`,
      'o.program = data["wrapper"]',
      'try:',
      '    r.tls_material(o, r.Progress(data["log"], quiet=True), data["dir"])',
      'except r.VerifyError as error:',
      '    print(json.dumps({"error": str(error), "events": open(data["events"]).read().split("\\n")}))',
    ].join('\n');
    const { stdout } = driverSnippet(code, { dir, log: join(dir, 'verify.log'), wrapper, events });
    const { error, events: seen } = JSON.parse(stdout);
    // When the error was raised, the request had finished: nothing still wrote into the work directory.
    expect(seen.filter(Boolean).sort()).toEqual(['ca started', 'request finished', 'request started']);
    expect(error).toMatch(
      new RegExp(
        `^create a throwaway CA \\(FIPS mode\\) failed: ${wrapper} req -x509 .* exited with code 1 \\(in ${dir}\\)\\.\\nLast lines of its output:\\n {2}req: CA refused\\nFull log: `,
      ),
    );
  });

  it('serves TLS 1.2 and 1.3 with a certificate it made, and stops', async () => {
    await servesTls(dir, systemOpenSsl(dir));
  });

  /** Starts s_server with the material in `dir` on the ports given (or free ones), and says how it went. */
  const startServer = (material: object, ports: number[] | null, hold: number[] = []) => {
    const code = [
      'import socket',
      'held = []',
      'for port in data["hold"]:',
      '    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", port)); s.listen(128); held.append(s)',
      `o = ${systemOpenSsl(dir)}`,
      'server = r.TlsServer(o.program, o.environment(), data["material"], data["dir"], r.Progress(data["log"], quiet=True), "[s_server] ", ports=iter(data["ports"]) if data["ports"] else None, timeout=5)',
      'try:',
      '    r.start_tls_servers([server])',
      '    result = {"port": server.port, "attempts": server.attempts, "running": server.process.poll() is None}',
      '    server.stop()',
      'except r.VerifyError as error:',
      '    result = {"error": str(error), "attempts": server.attempts, "running": server.process is not None and server.process.poll() is None}',
      'print(json.dumps(result))',
    ].join('\n');
    const run = driverSnippet(code, { dir, log: join(dir, 'verify.log'), material, ports, hold });
    expect(run.stderr).toBe('');
    return JSON.parse(run.stdout);
  };
  const material = () =>
    JSON.parse(
      driverSnippet(`print(json.dumps(r.tls_material(${systemOpenSsl(dir)}, r.Progress(data["log"], quiet=True), data["dir"])))`, {
        dir,
        log: join(dir, 'verify.log'),
      }).stdout,
    );
  const freePorts = (n: number): number[] => JSON.parse(driverSnippet(`print(json.dumps([r.free_port() for _ in range(${n})]))`).stdout);

  it('reports a server that cannot start with its own output, and leaves nothing running', () => {
    const missing = { caFile: join(dir, 'none.pem'), certFile: join(dir, 'none.pem'), keyFile: join(dir, 'none.key') };
    const result = startServer(missing, null);
    expect(result.error).toMatch(/^The TLS test server .*s_server .* exited with code 1\.\nIts output:\n.*none\.(pem|key)/s);
    expect(result.running).toBe(false);
  });

  it('tries another port when the one it picked was taken meanwhile, up to three in all', async () => {
    const made = material();
    const [taken, second, third, free] = freePorts(4);
    const moved = startServer(made, [taken, free], [taken]);
    expect(moved).toEqual({ port: free, attempts: 2, running: true });
    expect(await listening(free)).toBe(false);
    const failed = startServer(made, [taken, second, third, free], [taken, second, third]);
    expect(failed.attempts).toBe(3);
    expect(failed.error).toMatch(
      new RegExp(
        `^The TLS test server \\S+ s_server -accept 127\\.0\\.0\\.1:${third} .* exited with code \\d+\\.\\nIts output:\\n.*Address already in use`,
        's',
      ),
    );
  });

  it("hashes files with sha256sum, or with the prefix's openssl where there is none (Windows), outside FIPS mode", () => {
    // sha256sum escapes a name with a backslash in it.
    const files = ['a file', 'b', 'back\\slash'].map((name, i) => {
      const path = join(dir, name);
      writeFileSync(path, `content ${i}`);
      return path;
    });
    const code = `h = r.Hasher(${systemOpenSsl(dir)}, data["dir"])\nprint(json.dumps([h.many(data["files"]), h(data["missing"])]))`;
    const input = { dir, files, missing: join(dir, 'missing') };
    const expected = [Object.fromEntries(files.map((f) => [f, sha256(f)])), 'missing'];
    expect(JSON.parse(driverSnippet(code, input).stdout)).toEqual(expected);
    // No sha256sum on PATH: the prefix's openssl, by its path, with an empty configuration.
    const noCoreutils = join(dir, 'no-coreutils');
    mkdirSync(noCoreutils);
    expect(JSON.parse(driverSnippet(code, input, { env: { PATH: noCoreutils } }).stdout)).toEqual(expected);
    expect(readFileSync(join(dir, 'empty.cnf'), 'utf8')).toMatch(/^#/);
  });
});

// The same with the prefix the workspace's fips-python project builds (skipped until it exists): really in FIPS mode.
const WORKSPACE = join(__dirname, '..', '..', '..', '..');
const fipsPrefix = join(WORKSPACE, 'dist', 'fips-python', 'openssl');
const fipsConfig = join(WORKSPACE, 'dist', 'fips-python', 'fips-config');
const fipsAvailable = existsSync(join(fipsPrefix, 'bin', 'openssl')) && existsSync(join(fipsConfig, 'openssl.cnf'));
const fipsTitle = fipsAvailable
  ? 'fipskit_verify_run.py with the FIPS prefix'
  : 'fipskit_verify_run.py with the FIPS prefix — SKIPPED: no FIPS OpenSSL at dist/fips-python (build it with nx run fips-python:fips-config)';

(fipsAvailable ? describe : describe.skip)(fipsTitle, () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'fipskit-verify-fips-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const fipsOpenSsl = `r.OpenSsl(${JSON.stringify(join(fipsPrefix, 'bin', 'openssl'))}, ${JSON.stringify(join(fipsConfig, 'openssl.cnf'))}, ${JSON.stringify(join(fipsPrefix, 'lib', 'ossl-modules'))}, "LD_LIBRARY_PATH", ${JSON.stringify(join(fipsPrefix, 'lib'))}, ":")`;

  it('the environment the servers run in is FIPS mode: MD5 refused, the fips provider active', () => {
    const code = [
      'import subprocess',
      `o = ${fipsOpenSsl}`,
      'md5 = subprocess.run([o.program, "dgst", "-md5", o.conf], env=o.environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)',
      'providers = subprocess.run([o.program, "list", "-providers"], env=o.environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)',
      'print(json.dumps([md5.returncode, md5.stdout.decode(), providers.stdout.decode()]))',
    ].join('\n');
    const [md5Code, md5, providers] = JSON.parse(driverSnippet(code).stdout);
    expect(md5Code).not.toBe(0);
    expect(md5).toMatch(/unsupported/);
    expect(
      providers
        .split('\n')
        .filter((l: string) => /^ {2}\S/.test(l))
        .map((l: string) => l.trim()),
    ).toContain('fips');
  });

  it('serves TLS 1.2 and 1.3 with a certificate made in FIPS mode, and stops', async () => {
    await servesTls(dir, fipsOpenSsl);
  });
});

posixOnly('fipskit_verify_run.py --config and --bundle', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'fipskit-verify-modes-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const runDriver = (args: string[], driverFile = VERIFY_DRIVER) =>
    spawnSync(PRIMARY_PYTHON, ['-I', '-S', '-B', driverFile, ...args], { encoding: 'utf8', timeout: 120_000 });

  it('refuses to be asked wrongly, with exit status 2', () => {
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ python: '/p' }));
    const cases: Array<[string[], RegExp]> = [
      [[], /give either --bundle ROOT .* or --config FILE/],
      [['--bundle', dir, '--config', config], /give either --bundle ROOT/],
      [['--config', config, '--quiet'], /--output, --no-tls and --quiet are a bundle's options/],
      [['--config', config], /the configuration .*config\.json lacks openssl, prefix, expectations/],
      [['--config', join(dir, 'none.json')], /cannot read the configuration .*none\.json/],
      [['--bundle', dir], /is not a fipskit bundle/],
    ];
    for (const [args, message] of cases) {
      const run = runDriver(args);
      expect({ args, status: run.status }).toEqual({ args, status: 2 });
      expect(run.stderr).toMatch(message);
    }
  });

  it('--config: a failure that leaves no report is said on fipskit-verify:error lines, with exit status 1, and nothing is written', () => {
    const output = join(dir, 'staging');
    mkdirSync(output);
    const config = {
      python: '/p/python3',
      openssl: {
        program: '/p/openssl',
        conf: '/p/openssl.cnf',
        modulesDir: '/p/m',
        libraryPath: { variable: 'LD_LIBRARY_PATH', directory: '/p/lib', separator: ':' },
      },
      prefix: join(dir, 'no-prefix'),
      expectations: { opensslVersion: '3.0.22', profile: 'strict', startModes: true },
      tls: false,
      fipsConfigDir: dir,
      auditFile: join(dir, 'audit.json'),
      projectName: 'p',
      certificatesFile: join(dir, 'c.json'),
      outputDir: output,
      logFile: join(dir, 'verify.log'),
      workParent: dir,
      fipskitVersion: '0.0.0',
    };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    const run = runDriver(['--config', join(dir, 'config.json')]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe(
      `fipskit-verify:error cannot read ${join(dir, 'no-prefix', 'build-info.json')}: [Errno 2] No such file or directory: '${join(dir, 'no-prefix', 'build-info.json')}'\n`,
    );
    expect(readdirSync(output)).toEqual([]);
  });

  /** A bundle as the package target lays it out, fipskit's verification in share/fipskit/verify: its manifest records every shipped file and link. */
  function bundle({ tls }: { tls: boolean }) {
    const root = join(dir, 'fips-python-bundle');
    for (const [name, source] of Object.entries(verifyRuntimeFiles(CERTIFICATES_FILE)))
      write(join(root, 'share', 'fipskit', 'verify', name), readFileSync(source));
    const driverInBundle = join(root, 'share', 'fipskit', 'verify', 'fipskit_verify_run.py');
    const record = join(dir, 'record');
    const prefix = join(root, 'openssl');
    write(join(prefix, 'lib', 'ossl-modules', 'fips.so'), 'the provider');
    if (tls) {
      mkdirSync(join(prefix, 'bin'), { recursive: true });
      symlinkSync(SYSTEM_OPENSSL!, join(prefix, 'bin', 'openssl'));
      write(join(root, 'fips-config', 'openssl.cnf'), '# FIPS configuration written by fipskit-setup\n');
      write(
        join(root, 'fips-config', 'fips-config.json'),
        JSON.stringify({
          profile: 'strict',
          securityChecks: true,
          binding: 'self-test-onload',
          fipsinstall: {
            ranAt: '2026-12-01T10:00:00Z',
            hostname: 'target',
            machineDigest: 'd'.repeat(64),
            output: ['INSTALL PASSED'],
            verify: ['VERIFY PASSED'],
          },
        }),
      );
    }
    write(
      join(prefix, 'build-info.json'),
      JSON.stringify({
        version: '3.0.22',
        platform: 'linux',
        arch: 'x64',
        source: {
          product: 'openssl',
          version: '3.0.22',
          origin: 'url',
          sha256: 'a'.repeat(64),
          location: 'https://example.com/openssl-3.0.22.tar.gz',
          verification: 'pinned',
        },
        configure: { arguments: ['enable-fips'] },
        toolchain: { compiler: 'cc' },
        fipsProvider: { version: '3.0.22', validated: false, status: 'FIPS-capable, not validated', module: 'lib/ossl-modules/fips.so' },
        layout: { bin: 'bin', lib: 'lib', modules: 'lib/ossl-modules', include: 'include' },
        artifacts: { 'lib/ossl-modules/fips.so': sha256(join(prefix, 'lib', 'ossl-modules', 'fips.so')) },
      }),
    );
    const python = join(root, 'python', 'bin', 'python3');
    mkdirSync(join(root, 'python', 'bin'), { recursive: true });
    fakeInterpreter(python, record, {
      report: { ...(tls ? ALL_PASSING : withoutTls(ALL_PASSING)), fips_module: join(prefix, 'lib', 'ossl-modules', 'fips.so') } as never,
    });
    write(
      join(root, 'python', 'fipskit-python.json'),
      JSON.stringify({
        mode: 'overlay',
        interpreter: { path: '/usr/bin/python3.11', version: '3.11.2' },
        source: {
          product: 'cpython',
          version: '3.11.2',
          origin: 'url',
          sha256: 'b'.repeat(64),
          location: 'https://example.com/Python-3.11.2.tgz',
          verification: 'pinned',
        },
        modules: {},
      }),
    );
    const files: Record<string, object> = {};
    const walk = (at: string) => {
      for (const name of readdirSync(at)) {
        const path = join(at, name);
        const rel = relative(root, path);
        if (lstatSync(path).isSymbolicLink()) files[rel] = { symlink: readlinkSync(path) };
        else if (lstatSync(path).isDirectory()) walk(path);
        else files[rel] = { sha256: sha256(path), mode: `0${(lstatSync(path).mode & 0o777).toString(8)}` };
      }
    };
    walk(join(root, 'python'));
    walk(prefix);
    write(
      join(root, 'share', 'fipskit', 'bundle.json'),
      JSON.stringify({
        schema: 1,
        name: 'fips-python-bundle',
        fipskitVersion: '9.9.9',
        project: 'fips-python',
        platform: 'linux',
        arch: 'x64',
        python: { version: '3.11.2', mode: 'overlay', launcher: 'python/bin/python3' },
        openssl: {
          version: '3.0.22',
          prefix: 'openssl',
          module: 'lib/ossl-modules/fips.so',
          fipsProvider: { version: '3.0.22', validated: false, status: 'FIPS-capable, not validated' },
        },
        fipsConfig: 'fips-config',
        profile: 'strict',
        securityChecks: true,
        files,
      }),
    );
    // The build's SBOM of the bundle, as the package target writes it.
    const sbom = runDriver(['--bundle-sbom', root, '--created', '2026-12-01T00:00:00.000Z'], driverInBundle);
    if (sbom.status !== 0) throw new Error(sbom.stderr);
    return { root, record, python, prefix, driver: driverInBundle };
  }

  it("--bundle: checks every shipped file, runs the checks in the bundle's Python and writes the evidence into <bundle>/verify", () => {
    const b = bundle({ tls: false });
    const run = runDriver(['--bundle', b.root, '--no-tls'], b.driver);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`[fipskit-verify] Run the checks inside ${b.python}\n`);
    expect(run.stdout).toContain('FIPS mode: IN FORCE. All 19 required checks passed inside the interpreter.\n');
    const out = join(b.root, 'verify');
    expect(readdirSync(out).sort()).toEqual(['evidence.html', 'evidence.md', 'report.json', 'sbom.cdx.json', 'summary.txt', 'verify.log']);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.checks[0]).toMatchObject({
      id: 'bundle-files-unchanged',
      passed: true,
      detail: `${Object.keys(JSON.parse(readFileSync(join(b.root, 'share', 'fipskit', 'bundle.json'), 'utf8')).files).length} files and links of fips-python-bundle are as shipped (SHA-256 as the build's SBOM lists them, modes and link targets as bundle.json records them)`,
    });
    // --no-tls: no server, and the report says TLS was not checked.
    expect(report.tls).toEqual({ checked: false, server: null });
    expect(report.bundle).toMatchObject({ name: 'fips-python-bundle', root: b.root, manifestSha256: sha256(join(b.root, 'share', 'fipskit', 'bundle.json')) });
    expect(report.target.host).toBeTruthy();
    expect(report.fipsModule.statement).toMatch(/^The FIPS module that ran is .*fips\.so \(SHA-256 [0-9a-f]{64}\)\. It was not audited/);
    expect(JSON.parse(readFileSync(join(out, 'sbom.cdx.json'), 'utf8')).metadata.tools.components[0].version).toBe('9.9.9');
    expect(checksRun(b.record)!.args).toEqual(expect.arrayContaining(['--moved-copy-root', b.root, '--expected-libcrypto-dir', join(b.prefix, 'lib')]));
    // A changed byte is named.
    writeFileSync(join(b.prefix, 'lib', 'ossl-modules', 'fips.so'), 'the provider, changed');
    const changed = runDriver(['--bundle', b.root, '--no-tls', '--quiet'], b.driver);
    expect(changed.status).toBe(1);
    expect(changed.stdout).toBe('');
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).checks[0].detail).toMatch(
      /changed: openssl\/lib\/ossl-modules\/fips\.so \(SHA-256 [0-9a-f]{64}, shipped [0-9a-f]{64}\)/,
    );
  });

  it("--bundle-sbom: the build's SBOM of the bundle lists every shipped file; the check fails when it is missing or disagrees with bundle.json", () => {
    const b = bundle({ tls: false });
    const sbomFile = join(b.root, 'share', 'fipskit', 'sbom.cdx.json');
    const sbom = JSON.parse(readFileSync(sbomFile, 'utf8'));
    const manifest = JSON.parse(readFileSync(join(b.root, 'share', 'fipskit', 'bundle.json'), 'utf8'));
    const listed = Object.fromEntries(
      sbom.components
        .filter((c: { type: string }) => c.type === 'file')
        .map((c: { name: string; hashes: Array<{ content: string }> }) => [c.name, c.hashes[0].content]),
    );
    const shipped = Object.fromEntries(
      Object.entries(manifest.files as Record<string, { sha256?: string }>)
        .filter(([, f]) => f.sha256)
        .map(([path, f]) => [path, f.sha256]),
    );
    expect(listed).toEqual(shipped);
    expect(sbom.metadata.timestamp).toBe('2026-12-01T00:00:00.000Z');
    // One SHA-256 changed in the SBOM (and so no longer bundle.json's): the files no longer match what the build listed.
    const fips = sbom.components.find((c: { name: string }) => c.name === 'openssl/lib/ossl-modules/fips.so');
    fips.hashes[0].content = 'f'.repeat(64);
    writeFileSync(sbomFile, JSON.stringify(sbom));
    expect(runDriver(['--bundle', b.root, '--no-tls', '--quiet'], b.driver).status).toBe(1);
    const detail = JSON.parse(readFileSync(join(b.root, 'verify', 'report.json'), 'utf8')).checks[0].detail;
    expect(detail).toMatch(/changed: openssl\/lib\/ossl-modules\/fips\.so \(SHA-256 [0-9a-f]{64}, shipped f{64}\)/);
    expect(detail).toContain('the SBOM and bundle.json disagree on: openssl/lib/ossl-modules/fips.so');
    rmSync(sbomFile);
    expect(runDriver(['--bundle', b.root, '--no-tls', '--quiet'], b.driver).status).toBe(1);
    expect(JSON.parse(readFileSync(join(b.root, 'verify', 'report.json'), 'utf8')).checks[0].detail).toContain('missing: share/fipskit/sbom.cdx.json');
  });

  (SYSTEM_OPENSSL ? it : it.skip)("--bundle with TLS: serves the handshakes with the bundle's openssl and says how the configuration is bound", () => {
    const b = bundle({ tls: true });
    const run = runDriver(['--bundle', b.root, '--output', join(dir, 'out')], b.driver);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8'));
    expect(report.tls).toEqual({ checked: true, server: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
    expect(report.fipsinstall).toEqual({ binding: 'self-test-onload' });
    expect(readFileSync(join(dir, 'out', 'evidence.md'), 'utf8')).toContain('The configuration was written with openssl fipsinstall -self_test_onload');
    const args = checksRun(b.record)!.args;
    expect(args[args.indexOf('--tls-port') + 1]).toBe(report.tls.server.split(':')[1]);
    expect(args).toContain('--chacha-port');
    expect(readFileSync(join(dir, 'out', 'verify.log'), 'utf8')).toMatch(/^\[s_server chacha20\] ACCEPT$/m);
  });
});
