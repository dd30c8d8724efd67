import { matrixEntry, parseCommandFile } from './run-job';

describe('the harness reads the runner files steps write', () => {
  it('GITHUB_ENV and GITHUB_OUTPUT lines, with multi-line values', () => {
    expect(parseCommandFile('NX_BASE=abc\nNX_HEAD=def=ghi\nNOTE<<EOF\none\ntwo\nEOF\n')).toEqual({ NX_BASE: 'abc', NX_HEAD: 'def=ghi', NOTE: 'one\ntwo' });
    expect(() => parseCommandFile('NOTE<<EOF\none\n')).toThrow(/no closing EOF/);
  });
});

describe('matrix combinations', () => {
  const job = (matrix: Record<string, unknown>) => ({ 'runs-on': 'x', steps: [], strategy: { matrix } });
  it('takes the include entry that matches', () => {
    const include = [
      { os: 'ubuntu-latest', platform: 'linux', container: 'debian:12' },
      { os: 'windows-latest', platform: 'win32' },
    ];
    expect(matrixEntry(job({ include }), { platform: 'linux' })).toEqual(include[0]);
    expect(() => matrixEntry(job({ include }), { platform: 'darwin' })).toThrow(/0 combinations matching/);
  });
  it('crosses axes and extends them with include', () => {
    const matrix = { python: ['3.11', '3.13'], include: [{ python: '3.13', container: 'debian:13' }] };
    expect(matrixEntry(job(matrix), { python: '3.13' })).toEqual({ python: '3.13', container: 'debian:13' });
    expect(matrixEntry(job(matrix), { python: '3.11' })).toEqual({ python: '3.11' });
  });
});
