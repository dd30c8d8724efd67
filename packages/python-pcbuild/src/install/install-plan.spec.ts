import { RunStep, TaskStep, renderPlan } from '@fipskit/core';
import {
  INSTALLED_PYTHON_PROBE,
  WindowsInstallInput,
  buildWindowsInstallPlan,
  compiledInRoot,
  secureCompiledInCommands,
  windowsInstallFiles,
} from './install-plan';

const PY311 = 'C:\\Program Files\\Python311';
const work = 'C:\\Users\\Zoë\\my work';
const compiledIn = 'C:\\Program Files\\fipskit\\openssl-3.0.9';

const input: WindowsInstallInput = {
  builtDir: `${work}\\dist\\p\\python`,
  files: ['DLLs/_ssl.pyd', 'DLLs/_hashlib.pyd', 'DLLs/libcrypto-3-x64.dll', 'DLLs/libssl-3-x64.dll', 'python311.zip'],
  sourceVersion: '3.11.2',
  pythonDir: PY311,
  backupDir: `${work}\\.fipskit\\backup\\p`,
  openssl: { prefix: `${work}\\dist\\p\\openssl`, opensslDir: `${compiledIn}\\ssl`, modulesDir: `${compiledIn}\\lib\\ossl-modules` },
  profile: 'rhel-compatible',
  workDir: `${work}\\tmp\\fipskit\\p\\install-fips-configuration`,
  parentEnv: { PATH: '%PATH%' },
};

it("installs the python stage's files into the Python, and the provider and this machine's configuration into the compiled-in directories", () => {
  expect(windowsInstallFiles(input)).toEqual([
    { source: `${work}\\dist\\p\\python\\DLLs\\_ssl.pyd`, dest: `${PY311}\\DLLs\\_ssl.pyd` },
    { source: `${work}\\dist\\p\\python\\DLLs\\_hashlib.pyd`, dest: `${PY311}\\DLLs\\_hashlib.pyd` },
    { source: `${work}\\dist\\p\\python\\DLLs\\libcrypto-3-x64.dll`, dest: `${PY311}\\DLLs\\libcrypto-3-x64.dll` },
    { source: `${work}\\dist\\p\\python\\DLLs\\libssl-3-x64.dll`, dest: `${PY311}\\DLLs\\libssl-3-x64.dll` },
    // The zip slot beside python.exe: the first sys.path entry however python.exe is started.
    { source: `${work}\\dist\\p\\python\\python311.zip`, dest: `${PY311}\\python311.zip` },
    { source: `${work}\\dist\\p\\openssl\\lib\\ossl-modules\\fips.dll`, dest: `${compiledIn}\\lib\\ossl-modules\\fips.dll` },
    { source: `${input.workDir}\\fipsmodule.cnf`, dest: `${compiledIn}\\ssl\\fipsmodule.cnf` },
    { source: `${input.workDir}\\openssl.cnf`, dest: `${compiledIn}\\ssl\\openssl.cnf` },
  ]);
});

it('install plan: fipsinstall on this machine, the files with a backup, then OpenSSL and python.exe without any fipskit variable', () => {
  const plan = buildWindowsInstallPlan(input);
  expect(plan.steps.map((s) => s.title)).toEqual([
    `Check ${PY311}`,
    'Start from an empty configuration',
    'openssl fipsinstall on this machine (self-tests, module MAC)',
    'openssl fipsinstall -verify',
    "Write openssl.cnf (profile rhel-compatible) with this machine's FIPS module section",
    `Install into ${PY311} and OpenSSL's compiled-in directories`,
    `openssl list -providers with no OPENSSL_CONF or OPENSSL_MODULES: the compiled-in ${compiledIn}\\ssl activates the FIPS provider`,
    "python.exe, started with none of fipskit's variables, is in FIPS mode",
  ]);
  const fipsinstall = plan.steps[2] as RunStep;
  expect([fipsinstall.command.program, ...fipsinstall.command.args]).toEqual([
    `${work}\\dist\\p\\openssl\\bin\\openssl.exe`,
    'fipsinstall',
    '-module',
    `${work}\\dist\\p\\openssl\\lib\\ossl-modules\\fips.dll`,
    '-out',
    `${input.workDir}\\fipsmodule.cnf`,
    '-provider_name',
    'fips',
  ]);
  expect(fipsinstall.command.env).toMatchObject({ OPENSSL_CONF: `${input.workDir}\\empty.cnf`, PATH: `${work}\\dist\\p\\openssl\\bin;%PATH%` });
  expect((plan.steps[5] as TaskStep).detail).toContain(`${compiledIn}\\ssl\\openssl.cnf (from ${input.workDir}\\openssl.cnf)`);
  expect((plan.steps[5] as TaskStep).detail).toContain(`each file replaced is first kept in ${work}\\.fipskit\\backup\\p\\originals`);
  const probe = plan.steps[7] as RunStep;
  expect(probe.command).toMatchObject({ program: `${PY311}\\python.exe`, args: ['-I', '-c', INSTALLED_PYTHON_PROBE], cwd: PY311 });
  expect(probe.command.env).toEqual({
    OPENSSL_CONF: undefined,
    OPENSSL_MODULES: undefined,
    OPENSSL_CONF_INCLUDE: undefined,
    PYTHONPATH: undefined,
    PYTHONHOME: undefined,
  });
  expect(renderPlan(plan)).toContain('   env: unset OPENSSL_CONF');
});

it("the compiled-in directories' root under this machine's Program Files, or a refusal naming why and the fix", () => {
  const openssl = {
    opensslDir: 'C:\\Program Files\\fipskit\\openssl-3.0.22\\ssl',
    modulesDir: 'C:\\Program Files\\fipskit\\openssl-3.0.22\\lib\\ossl-modules',
  };
  expect(compiledInRoot(openssl, 'C:\\Program Files')).toBe('C:\\Program Files\\fipskit');
  expect(compiledInRoot(openssl, 'c:\\program files\\')).toBe('c:\\program files\\fipskit');
  // A machine whose system drive is D:: C:\\Program Files is an ordinary folder there.
  expect(() => compiledInRoot(openssl, 'D:\\Program Files')).toThrow(
    /^OpenSSL's compiled-in directories C:\\Program Files\\fipskit\\openssl-3\.0\.22\\ssl and .* are not inside this machine's Program Files \(D:\\Program Files\): there any user may be able to create them before the install.*Nothing was installed\.$/,
  );
  expect(() => compiledInRoot(openssl, undefined)).toThrow(/\(ProgramFiles is not set\)/);
  expect(secureCompiledInCommands('C:\\Program Files\\fipskit').map((c) => [c.program, ...c.args].join(' '))).toEqual([
    'icacls C:\\Program Files\\fipskit /reset /T /C /Q',
    'icacls C:\\Program Files\\fipskit /inheritance:r /grant:r *S-1-5-32-544:(OI)(CI)F *S-1-5-18:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX /C /Q',
    'icacls C:\\Program Files\\fipskit /setowner *S-1-5-32-544 /T /C /Q',
  ]);
});
