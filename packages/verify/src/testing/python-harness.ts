import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { CMVP_CERTIFICATES_FILE } from '@fipskit/core';
import { VERIFY_PYTHON_DIR } from '../python/verify-files';

/**
 * Test support: calls functions of the verify stage's Python modules from a jest test, in a real interpreter that
 * refuses hashlib, ssl, random, uuid, tempfile and secrets, as a fipskit Python with FIPS mode broken refuses them.
 */

// Debian's python3.11 by absolute path: `python3` on PATH may be a pyenv shim.
export const PRIMARY_PYTHON = existsSync('/usr/bin/python3.11') ? '/usr/bin/python3.11' : 'python3';
/** FIPSKIT_EVIDENCE_PYTHONS=/path/python3.8:/path/python3.14 runs the Python tests again under those interpreters. */
export const INTERPRETERS = [PRIMARY_PYTHON, ...(process.env.FIPSKIT_EVIDENCE_PYTHONS ?? '').split(delimiter).filter(Boolean)];
export const PYTHON_DIR = VERIFY_PYTHON_DIR;
/** The CMVP certificate data the verdicts read, as the verify stage hands it to the driver. */
export const CERTIFICATES_FILE = CMVP_CERTIFICATES_FILE;
export const CERTIFICATES = JSON.parse(readFileSync(CERTIFICATES_FILE, 'utf8'));
export const FIPSKIT_VERSION: string = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).version;

/** Modules a fipskit Python refuses while FIPS mode is not in force. */
export const REFUSED_MODULES = [
  'hashlib',
  '_hashlib',
  'ssl',
  '_ssl',
  'random',
  '_random',
  'uuid',
  '_uuid',
  'tempfile',
  'secrets',
  '_md5',
  '_sha1',
  '_sha256',
  '_sha2',
  '_sha512',
  '_sha3',
  '_blake2',
];

/**
 * Reads {module, calls, sha256} as JSON on stdin and answers each call with its result (or its error). A call names a
 * module function, or several applied in turn, or (`get`) a module attribute; "$sha256_of" as an argument is a digest
 * function over the `sha256` table; `json` returns json_text of the result. Two helpers stand beside the module's own
 * functions: locale_sorted (the SBOM's collation) and evidence_of_run (build_report, then collect_evidence of it).
 * refusedImports lists every import of a refused module that was tried.
 */
const HARNESS = `
import json, sys
REFUSED = frozenset(json.loads(sys.argv[2]))
attempted = []
for name in list(sys.modules):
    if name.split(".")[0] in REFUSED:
        del sys.modules[name]
class Refuse(object):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in REFUSED:
            attempted.append(name)
            raise ImportError("refused: " + name)
        return None
sys.meta_path.insert(0, Refuse())
sys.path.insert(0, sys.argv[1])
import fipskit_evidence as fe
request = fe.parse_json(sys.stdin.buffer.read().decode("utf-8"))
module = __import__(request["module"])
digests = request["sha256"]
def evidence_of_run(script, context, certificates, prefix, openssl, fips_config_dir, python, sha256_of):
    return fe.collect_evidence(fe.build_report(script, context, certificates), prefix, openssl, fips_config_dir, python, sha256_of)
helpers = {"locale_sorted": lambda values: sorted(values, key=fe._collation_key), "evidence_of_run": evidence_of_run}
def sha256_of(path):
    return digests[path]
results = []
for call in request["calls"]:
    try:
        if "get" in call:
            result = getattr(module, call["get"])
        else:
            names = call["fn"] if isinstance(call["fn"], list) else [call["fn"]]
            result = None
            for i, name in enumerate(names):
                fn = helpers.get(name) or getattr(module, name)
                result = fn(*[sha256_of if a == "$sha256_of" else a for a in call.get("args", [])]) if i == 0 else fn(result)
        if call.get("json"):
            result = fe.json_text(result)
        if isinstance(result, tuple):
            result = list(result)
        if isinstance(result, bytes):
            result = {"hex": "".join("%02x" % b for b in bytearray(result))}
        results.append({"value": result})
    except Exception as error:
        results.append({"error": "%s: %s" % (type(error).__name__, error)})
sys.stdout.write(json.dumps({"results": results, "refusedImports": attempted}))
`;

export type PythonModule = 'fipskit_evidence' | 'fipskit_verify_run';

export type PythonCall =
  | {
      fn: string | string[];
      args?: unknown[];
      /** Return json_text of the result: the bytes report.json would hold. */
      json?: boolean;
    }
  | { get: string };

/** Calls `calls` in one run of `interpreter`; throws when a call raised, or when anything refused was imported. */
export function callPython(interpreter: string, module: PythonModule, calls: PythonCall[], sha256: Record<string, string> = {}): unknown[] {
  const run = spawnSync(interpreter, ['-I', '-B', '-c', HARNESS, PYTHON_DIR, JSON.stringify(REFUSED_MODULES)], {
    input: JSON.stringify({ module, calls, sha256 }),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`${interpreter} exited with ${run.status}:\n${run.stderr}`);
  const { results, refusedImports } = JSON.parse(run.stdout) as { results: Array<{ value?: unknown; error?: string }>; refusedImports: string[] };
  if (refusedImports.length) throw new Error(`${module} imported what a fipskit Python refuses: ${refusedImports.join(', ')}`);
  return results.map((result, i) => {
    if (result.error !== undefined) throw new Error(`${JSON.stringify(calls[i])}: ${result.error}`);
    return result.value;
  });
}

/** fipskit_evidence's functions, in the primary interpreter. */
export const evidencePy = (calls: PythonCall[], sha256?: Record<string, string>): unknown[] => callPython(PRIMARY_PYTHON, 'fipskit_evidence', calls, sha256);

/** What the Python receives: the same data as JSON (undefined left out). */
export const asJson = <T>(value: T): unknown => JSON.parse(JSON.stringify(value));
/** JSON.stringify(value, null, 2): report.json's text. */
export const jsonText = (value: unknown): string => JSON.stringify(value, null, 2);
export const sha256Of = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** SHA-256 of every file under `root`, by absolute path: the `sha256` table of callPython. */
export function digestsUnder(root: string): Record<string, string> {
  const digests: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else digests[path] = sha256Of(path);
    }
  };
  walk(root);
  return digests;
}

export function write(path: string, content: string | Buffer): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
}

/**
 * Runs `code` in `interpreter` with fipskit_verify_run imported as `r` (and the refused modules refused), `input` as
 * JSON in `data`; what the code prints is returned, with its exit status and error output.
 */
export function driverSnippet(
  code: string,
  input: unknown = null,
  options: { env?: NodeJS.ProcessEnv; interpreter?: string } = {},
): { stdout: string; stderr: string; status: number | null } {
  const prelude = [
    'import json, sys',
    'REFUSED = frozenset(json.loads(sys.argv[2]))',
    'class Refuse(object):',
    '    def find_spec(self, name, path=None, target=None):',
    '        if name.split(".")[0] in REFUSED:',
    '            raise ImportError("refused: " + name)',
    'sys.meta_path.insert(0, Refuse())',
    'sys.path.insert(0, sys.argv[1])',
    'import fipskit_verify_run as r',
    'data = json.loads(sys.argv[3])',
  ];
  const run = spawnSync(
    options.interpreter ?? PRIMARY_PYTHON,
    ['-I', '-S', '-B', '-c', [...prelude, code].join('\n'), PYTHON_DIR, JSON.stringify(REFUSED_MODULES), JSON.stringify(input)],
    {
      encoding: 'utf8',
      env: options.env ?? process.env,
      timeout: 60_000,
    },
  );
  if (run.error) throw run.error;
  return { stdout: run.stdout, stderr: run.stderr, status: run.status };
}
