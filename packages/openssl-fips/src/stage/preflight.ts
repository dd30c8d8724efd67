import { ProcessRunner, TargetPlatform, ToolchainIdentity, parseCompilerCommand, probeTool as probe } from '@fipskit/core';
import { BuildToolchain } from './openssl-plan';
import { compareReleases } from './normalize-options';

export interface PreflightResult {
  toolchain: BuildToolchain;
  identity: ToolchainIdentity;
  warnings: string[];
}

const firstLine = (text: string) =>
  text
    .split('\n')
    .find((l) => l.trim())
    ?.trim() ?? '';

/** OpenSSL's VC-WIN64A Configure stops on an older NASM (Configurations/10-main.conf: SHA3 might be miscompiled). */
export const MINIMUM_NASM = '2.09';

/** What is wrong with the NASM whose `nasm -v` printed `output`, with the fix; undefined when OpenSSL can use it. */
export function nasmProblem(output: string): string | undefined {
  const version = /NASM version ([0-9]+\.[0-9]+\S*)/.exec(output)?.[1];
  if (version && compareReleases(version, MINIMUM_NASM) >= 0) return undefined;
  const found = version ? `the NASM on PATH is version ${version}` : `"nasm -v" printed "${firstLine(output)}", which names no NASM version`;
  return (
    `${found}, but OpenSSL needs NASM ${MINIMUM_NASM} or later: install a current NASM from nasm.us and put it first on PATH, ` +
    'or remove it from PATH to build with no-asm (portable C code, slower crypto).'
  );
}

/** Checks every tool the build needs before any work starts, and names what is missing with how to get it. */
export async function preflightOpenSslBuild(
  runner: ProcessRunner,
  platform: TargetPlatform,
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PreflightResult> {
  return platform === 'win32' ? preflightWindows(runner, cwd, env) : preflightPosix(runner, platform, cwd, env);
}

async function preflightPosix(runner: ProcessRunner, platform: TargetPlatform, cwd: string, env: NodeJS.ProcessEnv): Promise<PreflightResult> {
  const problems: string[] = [];
  const perl = await probe(runner, 'perl', ['-MIPC::Cmd', '-MFile::Compare', '-e', 'print "perl $^V\\n"'], cwd);
  if (!perl.ok) {
    const plain = await probe(runner, 'perl', ['-e', '1'], cwd);
    problems.push(
      plain.ok
        ? "perl lacks modules OpenSSL's Configure needs (IPC::Cmd, File::Compare): install them (Fedora/RHEL: dnf install perl-IPC-Cmd perl-File-Compare)."
        : 'perl not found on PATH: install perl (Debian/Ubuntu: apt-get install perl; Fedora/RHEL: dnf install perl).',
    );
  }
  const makeProgram = 'make';
  const make = await probe(runner, makeProgram, ['--version'], cwd);
  if (!make.ok) problems.push('make not found on PATH: install GNU make (Debian/Ubuntu: apt-get install make; macOS: xcode-select --install).');
  // CC may put a launcher in front of the compiler ("ccache gcc"): the compiler's version is what shapes the binaries.
  // Without CC, OpenSSL's Configure runs gcc for its Linux targets and cc elsewhere: the one asked is the one that runs.
  const { launchers, compiler, args } = parseCompilerCommand(env.CC, platform === 'linux' ? 'gcc' : 'cc');
  const cc = await probe(runner, compiler, [...args, '--version'], cwd);
  if (!cc.ok) {
    problems.push(
      `C compiler "${compiler}" not found: install one (Debian/Ubuntu: apt-get install build-essential; macOS: xcode-select --install) or set CC in the target's "environment" option.`,
    );
  }
  const launcherVersions: string[] = [];
  for (const launcher of launchers) {
    const found = await probe(runner, launcher, ['--version'], cwd);
    if (found.ok) launcherVersions.push(firstLine(found.output));
    else problems.push(`"${launcher}", which CC runs the compiler under, is not on PATH: install it or drop it from CC.`);
  }
  throwIfProblems(problems);
  return {
    toolchain: { perl: 'perl', make: makeProgram, nasm: false },
    identity: {
      perl: firstLine(perl.output),
      make: firstLine(make.output),
      compiler: firstLine(cc.output),
      ...(launcherVersions.length ? { launcher: launcherVersions.join('; ') } : {}),
    },
    warnings: [],
  };
}

async function preflightWindows(runner: ProcessRunner, cwd: string, env: NodeJS.ProcessEnv): Promise<PreflightResult> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const perl = await probe(runner, 'perl', ['-e', 'print "$^O perl $^V\\n"'], cwd);
  if (!perl.ok) {
    problems.push('perl not found on PATH: install Strawberry Perl (strawberryperl.com) and open a new prompt.');
  } else if (!perl.output.startsWith('MSWin32')) {
    problems.push(
      `the perl first on PATH is a ${perl.output.split(' ')[0]} perl (from MSYS2 or Git for Windows): OpenSSL's VC-* targets need a native Windows perl. Put Strawberry Perl first on PATH.`,
    );
  }
  const cl = await probe(runner, 'cl', [], cwd);
  if (!cl.ok && !/Microsoft/i.test(cl.output)) {
    const hint = env.VSINSTALLDIR ? '' : ' (VSINSTALLDIR is not set: the MSVC environment is not loaded)';
    problems.push(
      `the MSVC compiler cl.exe is not on PATH${hint}: open the "x64 Native Tools Command Prompt for VS" or run vcvars64.bat ` +
        '(vswhere -latest -find **\\vcvars64.bat shows where), then run nx again from that prompt. Install "Desktop development with C++" if Visual Studio is missing.',
    );
  }
  const jom = await probe(runner, 'jom', ['/VERSION'], cwd);
  const nmake = jom.ok ? { ok: true, output: jom.output } : await probe(runner, 'nmake', ['/?'], cwd);
  if (!nmake.ok) problems.push('nmake not found: it comes with the MSVC environment (see cl.exe above).');
  const nasm = await probe(runner, 'nasm', ['-v'], cwd);
  if (!nasm.ok) {
    warnings.push(
      'NASM not found on PATH: building with no-asm (portable C code, slower crypto). Install NASM (nasm.us) and add it to PATH to build the assembler code paths.',
    );
  } else {
    const problem = nasmProblem(nasm.output);
    if (problem) problems.push(problem);
  }
  throwIfProblems(problems);
  return {
    toolchain: { perl: 'perl', make: jom.ok ? 'jom' : 'nmake', nasm: nasm.ok, ...(env.CL ? { cl: env.CL } : {}) },
    identity: {
      perl: firstLine(perl.output),
      make: firstLine(nmake.output),
      compiler: firstLine(cl.output),
      assembler: nasm.ok ? firstLine(nasm.output) : 'none (no-asm)',
      ...(env.WindowsSDKVersion ? { windowsSdk: env.WindowsSDKVersion.replace(/\\$/, '') } : {}),
    },
    warnings,
  };
}

function throwIfProblems(problems: string[]): void {
  if (problems.length === 0) return;
  throw new Error(`The OpenSSL build cannot start; missing tools:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}
