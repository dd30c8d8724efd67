import { Command, ProcessError, ProcessRunner, RunOptions } from '@fipskit/core';
import { nasmProblem, preflightOpenSslBuild } from './preflight';

/** A machine where only the listed programs exist, answering with the given output. */
function machine(programs: Record<string, { output: string; exitCode?: number }>): ProcessRunner & { seen: string[][] } {
  const seen: string[][] = [];
  return {
    seen,
    async run(command: Command, options: RunOptions = {}) {
      seen.push([command.program, ...command.args]);
      const program = programs[command.program];
      if (!program) throw new ProcessError(command, null, ['ENOENT']);
      program.output.split('\n').forEach((l) => options.onLine?.(l));
      return { exitCode: program.exitCode ?? 0, tail: [] };
    },
  };
}

const posixTools = {
  perl: { output: 'perl v5.36.0' },
  make: { output: 'GNU Make 4.3\nBuilt for x86_64-pc-linux-gnu' },
  gcc: { output: 'gcc (Debian 12.2.0-14) 12.2.0' },
};

describe('OpenSSL build preflight', () => {
  it('POSIX: records the toolchain identity, asking the compiler Configure runs without CC (gcc on Linux, cc elsewhere)', async () => {
    const runner = machine(posixTools);
    const result = await preflightOpenSslBuild(runner, 'linux', '/tmp', {});
    expect(result.identity).toEqual({ perl: 'perl v5.36.0', make: 'GNU Make 4.3', compiler: 'gcc (Debian 12.2.0-14) 12.2.0' });
    const darwin = await preflightOpenSslBuild(machine({ ...posixTools, cc: { output: 'Apple clang version 15.0.0' } }), 'darwin', '/tmp', {});
    expect(darwin.identity.compiler).toBe('Apple clang version 15.0.0');
    expect(runner.seen[0]).toEqual(['perl', '-MIPC::Cmd', '-MFile::Compare', '-e', 'print "perl $^V\\n"']);
  });

  it.each([
    ['perl', /perl not found on PATH: install perl/],
    ['make', /make not found on PATH: install GNU make/],
    ['gcc', /C compiler "gcc" not found: install one .*or set CC/],
  ])('POSIX: names a missing %s and how to get it', async (missing, message) => {
    const tools: Record<string, { output: string }> = { ...posixTools };
    delete tools[missing];
    await expect(preflightOpenSslBuild(machine(tools), 'linux', '/tmp', {})).rejects.toThrow(message);
  });

  it('POSIX: lists every missing tool at once and honours CC', async () => {
    const error = await preflightOpenSslBuild(machine({}), 'linux', '/tmp', { CC: 'clang-17' }).catch((e) => e);
    expect(error.message).toMatch(/perl not found[\s\S]*make not found[\s\S]*"clang-17" not found/);
  });

  it('POSIX: a launcher in CC ("ccache gcc") is named with its version, and the compiler behind it is what is recorded', async () => {
    const runner = machine({
      ...posixTools,
      ccache: { output: 'ccache version 4.8\nFeatures: file-storage' },
      gcc: { output: 'gcc (Debian 12.2.0-14) 12.2.0' },
    });
    const result = await preflightOpenSslBuild(runner, 'linux', '/tmp', { CC: 'ccache gcc -m64' });
    expect(result.identity).toEqual({ perl: 'perl v5.36.0', make: 'GNU Make 4.3', compiler: 'gcc (Debian 12.2.0-14) 12.2.0', launcher: 'ccache version 4.8' });
    expect(runner.seen).toContainEqual(['gcc', '-m64', '--version']);
    expect(runner.seen).toContainEqual(['ccache', '--version']);
    await expect(preflightOpenSslBuild(machine(posixTools), 'linux', '/tmp', { CC: 'ccache gcc' })).rejects.toThrow(
      '"ccache", which CC runs the compiler under, is not on PATH: install it or drop it from CC.',
    );
  });

  it('POSIX: perl without IPC::Cmd is named as a missing module, not a missing perl', async () => {
    const runner: ProcessRunner = {
      async run(command, options = {}) {
        if (command.program === 'perl' && command.args[0] === '-MIPC::Cmd') return { exitCode: 2, tail: [] };
        return machine(posixTools).run(command, options);
      },
    };
    await expect(preflightOpenSslBuild(runner, 'linux', '/tmp', {})).rejects.toThrow(/perl lacks modules .*IPC::Cmd/);
  });

  const windowsTools = {
    perl: { output: 'MSWin32 perl v5.38.2' },
    cl: { output: 'Microsoft (R) C/C++ Optimizing Compiler Version 19.39 for x64' },
    nmake: { output: 'Microsoft (R) Program Maintenance Utility Version 14.39' },
    nasm: { output: 'NASM version 2.16.01' },
  };

  it('Windows: nmake with NASM; jom preferred when present', async () => {
    expect((await preflightOpenSslBuild(machine(windowsTools), 'win32', 'C:\\b', {})).toolchain).toEqual({ perl: 'perl', make: 'nmake', nasm: true });
    const withJom = await preflightOpenSslBuild(machine({ ...windowsTools, jom: { output: 'jom 1.1.4' } }), 'win32', 'C:\\b', {});
    expect(withJom.toolchain.make).toBe('jom');
  });

  it('Windows: without NASM warns and falls back to no-asm', async () => {
    const tools: Record<string, { output: string }> = { ...windowsTools };
    delete tools.nasm;
    const result = await preflightOpenSslBuild(machine(tools), 'win32', 'C:\\b', {});
    expect(result.toolchain.nasm).toBe(false);
    expect(result.warnings[0]).toMatch(/NASM not found.*no-asm/);
  });

  it('Windows: keeps the CL variable of the environment for the build to extend', async () => {
    expect((await preflightOpenSslBuild(machine(windowsTools), 'win32', 'C:\\b', { CL: '/wd4996' })).toolchain).toEqual({
      perl: 'perl',
      make: 'nmake',
      nasm: true,
      cl: '/wd4996',
    });
  });

  it('Windows: refuses a NASM older than 2.09, naming its version and the fix', async () => {
    const old = { ...windowsTools, nasm: { output: 'NASM version 2.08.02 compiled on Jun 24 2010' } };
    const error = await preflightOpenSslBuild(machine(old), 'win32', 'C:\\b', {}).catch((e) => e);
    expect(error.message).toBe(
      'The OpenSSL build cannot start; missing tools:\n' +
        '  - the NASM on PATH is version 2.08.02, but OpenSSL needs NASM 2.09 or later: install a current NASM from nasm.us and put it first on PATH, ' +
        'or remove it from PATH to build with no-asm (portable C code, slower crypto).',
    );
  });

  it.each([
    ['NASM version 2.16.01 compiled on Dec 21 2022', undefined],
    ['NASM version 2.09 compiled on Sep 20 2010', undefined],
    ['NASM version 3.01 compiled on Oct 10 2025', undefined],
    ['NASM version 2.10rc1 compiled on Jan  1 2012', undefined],
    ['NASM version 2.08.02 compiled on Jun 24 2010', /version 2\.08\.02, but OpenSSL needs NASM 2\.09 or later/],
    ['NASM version 0.98.39 compiled on Feb 25 2005', /version 0\.98\.39, but OpenSSL needs NASM 2\.09 or later/],
    [
      'Yasm 1.3.0',
      /"nasm -v" printed "Yasm 1\.3\.0", which names no NASM version, but OpenSSL needs NASM 2\.09 or later: install a current NASM from nasm\.us/,
    ],
  ])('NASM whose "nasm -v" says %j', (output, problem) => {
    if (problem) expect(nasmProblem(output)).toMatch(problem);
    else expect(nasmProblem(output)).toBeUndefined();
  });

  it('Windows: refuses an MSYS perl and a missing MSVC environment, saying what to do', async () => {
    const error = await preflightOpenSslBuild(machine({ perl: { output: 'msys perl v5.36' }, nmake: windowsTools.nmake }), 'win32', 'C:\\b', {}).catch(
      (e) => e,
    );
    expect(error.message).toMatch(/msys perl .*Strawberry Perl first on PATH/);
    expect(error.message).toMatch(/cl\.exe is not on PATH \(VSINSTALLDIR is not set.*x64 Native Tools Command Prompt/);
  });
});
