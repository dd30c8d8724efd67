import { ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Command, ProcessRunner, StageLog, TargetPlatform, childEnvironment, describeCommand, sharedLibraryConvention } from '@fipskit/core';

/** The test server listens on loopback only. */
export const TLS_HOST = '127.0.0.1';

/** The prefix's own openssl program, with the environment that puts it in FIPS mode. */
export interface FipsOpenSsl {
  program: string;
  env: Record<string, string | undefined>;
}

export interface TlsMaterial {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export function fipsOpenSsl(
  paths: { openssl: string; opensslConf: string; libDir: string; binDir: string; modulesDir: string },
  platform: TargetPlatform,
  parentEnv: NodeJS.ProcessEnv = process.env,
): FipsOpenSsl {
  const { libraryPathVar } = sharedLibraryConvention(platform);
  const libDir = platform === 'win32' ? paths.binDir : paths.libDir;
  const current = parentEnv[libraryPathVar];
  return {
    program: paths.openssl,
    env: {
      OPENSSL_CONF: paths.opensslConf,
      OPENSSL_MODULES: paths.modulesDir,
      OPENSSL_CONF_INCLUDE: undefined,
      [libraryPathVar]: current ? `${libDir}${platform === 'win32' ? ';' : ':'}${current}` : libDir,
    },
  };
}

/** Extensions of the server certificate: a leaf for 127.0.0.1, which Python checks by IP address. */
export const SERVER_EXTENSIONS = [
  'basicConstraints = critical,CA:FALSE',
  'keyUsage = critical,digitalSignature',
  'extendedKeyUsage = serverAuth',
  `subjectAltName = IP:${TLS_HOST}`,
].join('\n') + '\n';

const P256 = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];

/** A throwaway CA and a server certificate it signed, all made by the FIPS provider (P-256, SHA-256, one day). */
export function certificateCommands(openssl: FipsOpenSsl, dir: string): { commands: Command[]; material: TlsMaterial; extensionsFile: string } {
  const file = (name: string) => join(dir, name);
  const material: TlsMaterial = { caFile: file('ca.pem'), certFile: file('server.pem'), keyFile: file('server.key') };
  const extensionsFile = file('server.ext');
  const run = (title: string, args: string[]): Command => ({ title, program: openssl.program, args, cwd: dir, env: openssl.env });
  const commands = [
    run('create a throwaway CA (FIPS mode)', [
      'req', '-x509', ...P256, '-sha256', '-days', '1', '-nodes',
      '-subj', '/CN=fipskit throwaway test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
      '-keyout', file('ca.key'), '-out', material.caFile,
    ]),
    run('create the server key and request (FIPS mode)', [
      'req', '-new', ...P256, '-sha256', '-nodes', '-subj', `/CN=${TLS_HOST}`, '-keyout', material.keyFile, '-out', file('server.csr'),
    ]),
    run('sign the server certificate (FIPS mode)', [
      'x509', '-req', '-in', file('server.csr'), '-CA', material.caFile, '-CAkey', file('ca.key'), '-CAcreateserial',
      '-days', '1', '-sha256', '-extfile', extensionsFile, '-out', material.certFile,
    ]),
  ];
  return { commands, material, extensionsFile };
}

export async function createTlsMaterial(runner: ProcessRunner, log: StageLog, openssl: FipsOpenSsl, dir: string): Promise<TlsMaterial> {
  const { commands, material, extensionsFile } = certificateCommands(openssl, dir);
  writeFileSync(extensionsFile, SERVER_EXTENSIONS);
  // The CA and the server's key and request do not need each other: made side by side (both finished before a
  // failure of either is reported), then the signature.
  const [ca, request, sign] = commands;
  for (const made of await Promise.allSettled([log.run(runner, ca), log.run(runner, request)])) if (made.status === 'rejected') throw made.reason;
  await log.run(runner, sign);
  return material;
}

/** What a server offers when it must not offer what OpenSSL would by default. */
export interface CipherOffer {
  /** `-cipher`: TLS 1.2 suites. */
  tls12: string;
  /** `-ciphersuites`: TLS 1.3 suites. */
  tls13: string;
}

/** Not FIPS-approved: a FIPS client must refuse a server that offers nothing else. */
export const CHACHA20_ONLY: CipherOffer = { tls12: 'ECDHE-ECDSA-CHACHA20-POLY1305', tls13: 'TLS_CHACHA20_POLY1305_SHA256' };

export function sServerCommand(openssl: FipsOpenSsl, material: TlsMaterial, port: number, cwd: string, offer?: CipherOffer): Command {
  return {
    title: offer ? `openssl s_server offering only ${offer.tls12} and ${offer.tls13} (not in FIPS mode)` : 'openssl s_server (FIPS mode)',
    program: openssl.program,
    // -www answers every connection until the server is stopped; -accept host:port keeps it on loopback.
    args: [
      's_server', '-accept', `${TLS_HOST}:${port}`, '-cert', material.certFile, '-key', material.keyFile, '-www',
      ...(offer ? ['-cipher', offer.tls12, '-ciphersuites', offer.tls13] : []),
    ],
    cwd,
    env: openssl.env,
  };
}

/** The same openssl with an empty configuration: OpenSSL's default provider, outside FIPS mode. */
export function defaultProviderOpenSsl(openssl: FipsOpenSsl, emptyConf: string): FipsOpenSsl {
  return { program: openssl.program, env: { ...openssl.env, OPENSSL_CONF: emptyConf } };
}

export interface RunningTlsServer {
  host: string;
  port: number;
  command: Command;
  /** Stops the server; safe to call more than once. */
  stop(): Promise<void>;
}

export interface StartTlsServerOptions {
  /** Every line the server prints (to the stage log). */
  onLine?: (line: string) => void;
  timeoutMs?: number;
  /** Ports to try when the one picked was taken in the meantime. */
  attempts?: number;
  /** Offer only these suites (the refusal check's server). */
  offer?: CipherOffer;
}

export type StartTlsServer = (openssl: FipsOpenSsl, material: TlsMaterial, cwd: string, options?: StartTlsServerOptions) => Promise<RunningTlsServer>;

/** Starts `openssl s_server` on a free loopback port and resolves once the port accepts connections. */
export const startTlsServer: StartTlsServer = async (openssl, material, cwd, options = {}) => {
  const attempts = options.attempts ?? 3;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = await freeLoopbackPort();
    const command = sServerCommand(openssl, material, port, cwd, options.offer);
    try {
      return await startOnPort(command, port, options);
    } catch (error) {
      lastError = error;
      // Another process may have taken the port between our probe and the server's bind.
      if (!(error instanceof ServerExitedError) || !/address already in use|bind|EADDRINUSE/i.test(error.message)) break;
    }
  }
  throw lastError;
};

class ServerExitedError extends Error {}

async function startOnPort(command: Command, port: number, options: StartTlsServerOptions): Promise<RunningTlsServer> {
  const child = spawn(command.program, command.args, {
    cwd: command.cwd,
    env: childEnvironment(command.env),
    stdio: ['ignore', 'pipe', 'pipe'],
    windowsHide: true,
  });
  const tail: string[] = [];
  const collect = (line: string) => {
    tail.push(line);
    if (tail.length > 20) tail.shift();
    options.onLine?.(line);
  };
  for (const stream of [child.stdout, child.stderr]) if (stream) createInterface({ input: stream, crlfDelay: Infinity }).on('line', collect);
  // 'close' comes after the exit and after the last output line, so failures quote all of it.
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(`could not be started: ${error.message}`));
    child.once('close', (code, signal) => resolve(`exited with ${signal ?? `code ${code}`}`));
  });
  const stop = () => stopChild(child, exited);
  let settled = false;
  const exitedEarly = exited.then((how) => {
    if (!settled) throw new ServerExitedError(serverFailure(command, how, tail));
  });
  try {
    await Promise.race([waitForPort(TLS_HOST, port, options.timeoutMs ?? 15_000, () => settled), exitedEarly]);
  } catch (error) {
    await stop();
    if (error instanceof ServerExitedError) throw error;
    throw new Error(`${serverFailure(command, 'did not accept connections', tail)}\n${(error as Error).message}`, { cause: error });
  } finally {
    settled = true;
  }
  return { host: TLS_HOST, port, command, stop };
}

function serverFailure(command: Command, how: string, tail: string[]): string {
  return [`The TLS test server ${describeCommand(command)} ${how}.`, ...(tail.length ? ['Its output:', ...tail.map((l) => `  ${l}`)] : [])].join('\n');
}

async function stopChild(child: ChildProcess, exited: Promise<string>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5000).unref());
  if ((await Promise.race([exited, timer])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

/** A port the kernel just handed out on loopback; free now, though not reserved. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, TLS_HOST, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port assigned'))));
    });
  });
}

export async function waitForPort(host: string, port: number, timeoutMs: number, cancelled: () => boolean = () => false): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cancelled() && !(await accepts(host, port))) {
    if (Date.now() > deadline) throw new Error(`Nothing accepted connections on ${host}:${port} within ${timeoutMs / 1000} s.`);
    // A loopback connect costs little; s_server in FIPS mode listens some 30-60 ms after it starts.
    await new Promise((r) => setTimeout(r, 10));
  }
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
