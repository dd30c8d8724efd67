import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect } from 'node:tls';
import { ExecaRunner, RecordingRunner, StageLog, TargetPlatform } from '@fipskit/core';
import { SERVER_EXTENSIONS, TLS_HOST, certificateCommands, createTlsMaterial, fipsOpenSsl, sServerCommand, startTlsServer } from './tls-server';

const paths = {
  openssl: '/p/bin/openssl',
  opensslConf: '/cfg/openssl.cnf',
  libDir: '/p/lib',
  binDir: '/p/bin',
  modulesDir: '/p/lib/ossl-modules',
};

describe('fipsOpenSsl', () => {
  it.each<[TargetPlatform, string, string]>([
    ['linux', 'LD_LIBRARY_PATH', '/p/lib:/usr/local/lib'],
    ['darwin', 'DYLD_LIBRARY_PATH', '/p/lib:/usr/local/lib'],
    ['win32', 'PATH', '/p/bin;/usr/local/lib'],
  ])('on %s puts the prefix first on %s and points OpenSSL at the FIPS configuration', (platform, variable, value) => {
    const openssl = fipsOpenSsl(paths, platform, { [variable]: '/usr/local/lib' });
    expect(openssl.env).toEqual({ OPENSSL_CONF: '/cfg/openssl.cnf', OPENSSL_MODULES: '/p/lib/ossl-modules', OPENSSL_CONF_INCLUDE: undefined, [variable]: value });
    expect(openssl.program).toBe('/p/bin/openssl');
  });
});

describe('TLS test server commands', () => {
  const openssl = fipsOpenSsl(paths, 'linux', {});

  it('makes a P-256 CA and a server certificate for 127.0.0.1 signed by it, every step with the FIPS environment', () => {
    const { commands, material, extensionsFile } = certificateCommands(openssl, '/w');
    expect(commands.map((c) => c.args)).toEqual([
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-sha256', '-days', '1', '-nodes',
        '-subj', '/CN=fipskit throwaway test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
        '-keyout', '/w/ca.key', '-out', '/w/ca.pem'],
      ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-sha256', '-nodes', '-subj', '/CN=127.0.0.1',
        '-keyout', '/w/server.key', '-out', '/w/server.csr'],
      ['x509', '-req', '-in', '/w/server.csr', '-CA', '/w/ca.pem', '-CAkey', '/w/ca.key', '-CAcreateserial', '-days', '1', '-sha256',
        '-extfile', '/w/server.ext', '-out', '/w/server.pem'],
    ]);
    for (const command of commands) {
      expect(command).toMatchObject({ program: '/p/bin/openssl', cwd: '/w', env: openssl.env });
    }
    expect(material).toEqual({ caFile: '/w/ca.pem', certFile: '/w/server.pem', keyFile: '/w/server.key' });
    expect(extensionsFile).toBe('/w/server.ext');
    expect(SERVER_EXTENSIONS).toContain('subjectAltName = IP:127.0.0.1\n');
  });

  it('runs s_server on loopback only, answering every connection until stopped', () => {
    const command = sServerCommand(openssl, { caFile: '/w/ca.pem', certFile: '/w/server.pem', keyFile: '/w/server.key' }, 43111, '/w');
    expect(command.args).toEqual(['s_server', '-accept', '127.0.0.1:43111', '-cert', '/w/server.pem', '-key', '/w/server.key', '-www']);
    expect(command.env).toBe(openssl.env);
    expect(TLS_HOST).toBe('127.0.0.1');
  });

  it('writes the extensions file and runs the three certificate commands through the runner', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fipskit-tls-unit-'));
    const runner = new RecordingRunner();
    const log = new StageLog('verify', join(dir, 'verify.log'), 1, () => undefined);
    const material = await createTlsMaterial(runner, log, openssl, dir);
    expect(runner.argv().map((argv) => argv.slice(0, 2))).toEqual([['/p/bin/openssl', 'req'], ['/p/bin/openssl', 'req'], ['/p/bin/openssl', 'x509']]);
    expect(readFileSync(join(dir, 'server.ext'), 'utf8')).toBe(SERVER_EXTENSIONS);
    expect(material.caFile).toBe(join(dir, 'ca.pem'));
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes the CA and the server request side by side, and reports a failed one only once the other finished, without signing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fipskit-tls-unit-'));
    const log = new StageLog('verify', join(dir, 'verify.log'), 1, () => undefined);
    const events: string[] = [];
    const runner = {
      run: async (command: { args: string[] }) => {
        const what = command.args.includes('-x509') ? 'ca' : command.args[0] === 'req' ? 'request' : 'sign';
        events.push(`${what} started`);
        if (what === 'ca') throw new Error('openssl req -x509 exited with code 1');
        await new Promise((r) => setTimeout(r, 20));
        events.push(`${what} finished`);
        return { exitCode: 0, output: [] };
      },
    };
    await expect(createTlsMaterial(runner as never, log, openssl, dir)).rejects.toThrow('openssl req -x509 exited with code 1');
    expect(events).toEqual(['ca started', 'request started', 'request finished']);
    rmSync(dir, { recursive: true, force: true });
  });
});

// The real thing, with the prefix the workspace's fips-python project builds (skipped until it exists).
const WORKSPACE = resolve(__dirname, '..', '..', '..', '..', '..', '..');
const prefix = join(WORKSPACE, 'dist', 'fips-python', 'openssl');
const fipsConfig = join(WORKSPACE, 'dist', 'fips-python', 'fips-config');
const available = existsSync(join(prefix, 'bin', 'openssl')) && existsSync(join(fipsConfig, 'openssl.cnf'));
const realTitle = available
  ? 'TLS test server with the FIPS prefix'
  : 'TLS test server with the FIPS prefix — SKIPPED: no FIPS OpenSSL at dist/fips-python (build it with nx run fips-python:fips-config)';

(available ? describe : describe.skip)(realTitle, () => {
  const realPaths = {
    openssl: join(prefix, 'bin', 'openssl'),
    opensslConf: join(fipsConfig, 'openssl.cnf'),
    libDir: join(prefix, 'lib'),
    binDir: join(prefix, 'bin'),
    modulesDir: join(prefix, 'lib', 'ossl-modules'),
  };
  const openssl = fipsOpenSsl(realPaths, 'linux');
  const runner = new ExecaRunner();
  let dir: string;
  let log: StageLog;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fipskit-tls-real-'));
    log = new StageLog('verify', join(dir, 'verify.log'), 1, () => undefined);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the environment the server runs in is FIPS mode: MD5 refused, SHA-256 works', async () => {
    const md5: string[] = [];
    const refused = await runner.run(
      { program: openssl.program, args: ['dgst', '-md5', join(fipsConfig, 'openssl.cnf')], cwd: dir, env: openssl.env },
      { allowFailure: true, onLine: (l) => md5.push(l) },
    );
    expect(refused.exitCode).not.toBe(0);
    expect(md5.join('\n')).toMatch(/unsupported/);
    const providers: string[] = [];
    await runner.run({ program: openssl.program, args: ['list', '-providers'], cwd: dir, env: openssl.env }, { onLine: (l) => providers.push(l) });
    expect(providers.filter((l) => /^ {2}\S/.test(l)).map((l) => l.trim())).toContain('fips');
  });

  it('serves TLS 1.2 and 1.3 with a certificate made in FIPS mode, and stops', async () => {
    const material = await createTlsMaterial(runner, log, openssl, dir);
    const lines: string[] = [];
    const server = await startTlsServer(openssl, material, dir, { onLine: (l) => lines.push(l) });
    try {
      for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
        const negotiated = await new Promise<{ protocol: string | null; cipher: string }>((done, fail) => {
          const socket = connect({ host: server.host, port: server.port, ca: readFileSync(material.caFile), minVersion: version, maxVersion: version }, () => {
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
      await server.stop();
    }
    await server.stop();
    const stillListening = await new Promise((done) => {
      const socket = createConnection({ host: server.host, port: server.port });
      socket.once('connect', () => (socket.destroy(), done(true)));
      socket.once('error', () => done(false));
    });
    expect(stillListening).toBe(false);
    expect(lines).toContain('ACCEPT');
  });

  it('reports a server that cannot start with its own output, and leaves nothing running', async () => {
    const missing = { caFile: join(dir, 'none.pem'), certFile: join(dir, 'none.pem'), keyFile: join(dir, 'none.key') };
    await expect(startTlsServer(openssl, missing, dir, { timeoutMs: 5000 })).rejects.toThrow(/The TLS test server .*s_server .* exited with code 1\.\nIts output:\n.*none\.(pem|key)/s);
  });
});
