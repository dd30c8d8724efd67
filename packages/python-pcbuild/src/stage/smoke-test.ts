import { join } from 'node:path';
import { ProcessRunner, StageLog } from '@fipskit/core';
import { NormalizedPythonOptions } from './normalize-options';

/** Quick proof the launcher runs our OpenSSL with MD5 refused; the verify stage does the full proof. */
export const SMOKE_TEST = [
  'import hashlib, json, ssl',
  'try:',
  '    hashlib.md5(b"x"); md5 = "allowed"',
  'except ValueError:',
  '    md5 = "refused"',
  'print(json.dumps({"openssl": ssl.OPENSSL_VERSION, "md5": md5, "sha256": hashlib.sha256(b"abc").hexdigest()}))',
].join('\n');

export async function smokeTestLauncher(runner: ProcessRunner, log: StageLog, options: NormalizedPythonOptions): Promise<void> {
  log.step('Smoke test: the launcher loads the FIPS OpenSSL and refuses MD5');
  const lines: string[] = [];
  await log.run(
    runner,
    {
      program: join(options.outputDir, 'bin', 'python3'),
      args: ['-c', SMOKE_TEST],
      cwd: options.outputDir,
      env: { OPENSSL_CONF: undefined, OPENSSL_MODULES: undefined },
    },
    { onLine: (l) => lines.push(l) },
  );
  const result = JSON.parse(lines.at(-1) ?? '{}');
  const problems: string[] = [];
  if (!String(result.openssl).includes(options.openssl.version))
    problems.push(`ssl.OPENSSL_VERSION is "${result.openssl}", not OpenSSL ${options.openssl.version}`);
  if (result.md5 !== 'refused') problems.push('hashlib.md5() still works');
  if (result.sha256 !== 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad') problems.push('sha256("abc") is wrong');
  if (problems.length) throw new Error(`The overlay launcher is not in FIPS mode: ${problems.join('; ')}.`);
}
