import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateExpressions, interpolate, stepCondition, validateWorkflow } from './actions-toolkit';

const context = {
  github: { event_name: 'push', ref: 'refs/heads/main' },
  matrix: { platform: 'linux', container: 'debian:12' },
  vars: {},
  secrets: { NX_CACHE_WRITE_TOKEN: 'w', NX_CACHE_READ_TOKEN: 'r' },
  steps: { python: { outputs: { 'python-path': '/opt/py' } } },
};

describe("GitHub's expression evaluator, as the harness uses it", () => {
  it('evaluates the generated workflow expressions as GitHub does', () => {
    const [command, token, unset] = evaluateExpressions(
      [
        "github.event_name == 'schedule' && 'run-many' || 'affected'",
        "github.event_name == 'push' && github.ref == 'refs/heads/main' && secrets.NX_CACHE_WRITE_TOKEN || secrets.NX_CACHE_READ_TOKEN",
        'vars.NX_SELF_HOSTED_REMOTE_CACHE_SERVER',
      ],
      context,
    );
    expect(command.text).toBe('affected');
    expect(token.text).toBe('w');
    expect(unset).toMatchObject({ value: null, text: '' });
    expect(() => evaluateExpressions(['github.event_name ==='], context)).toThrow(/workflow expression: github.event_name ===/);
  });

  it('interpolates text, and a whole expression keeps its type', () => {
    expect(
      interpolate("npx nx ${{ github.event_name == 'schedule' && 'run-many' || 'affected' }} -t build", { ...context, github: { event_name: 'schedule' } }),
    ).toBe('npx nx run-many -t build');
    expect(interpolate('${{ matrix.container }}', context)).toBe('debian:12');
    expect(interpolate('${{ matrix }}', context)).toEqual(context.matrix);
    expect(interpolate({ path: '${{ steps.python.outputs.python-path }}' }, context)).toEqual({ path: '/opt/py' });
  });

  it('reads if: as GitHub does: success() unless a status function is named', () => {
    expect(stepCondition(undefined, context, 'success')).toBe(true);
    expect(stepCondition(undefined, context, 'failure')).toBe(false);
    expect(stepCondition("matrix.platform == 'linux'", context, 'failure')).toBe(false);
    expect(stepCondition("always() && matrix.platform == 'linux'", context, 'failure')).toBe(true);
    expect(stepCondition("${{ matrix.platform == 'win32' }}", context, 'success')).toBe(false);
    expect(stepCondition('failure()', context, 'failure')).toBe(true);
  });
});

describe("GitHub's workflow parser", () => {
  it('accepts a valid workflow and names what is wrong with a broken one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fipskit-workflow-'));
    const good = join(dir, 'good.yml');
    writeFileSync(good, 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n');
    expect(validateWorkflow(good)).toEqual([]);
    const bad = join(dir, 'bad.yml');
    writeFileSync(
      bad,
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    timeout-minutes: soon\n    steps:\n      - run: echo hi\n        uses: actions/checkout@v4\n',
    );
    const errors = validateWorkflow(bad).join('\n');
    expect(errors).toMatch(/Unexpected value 'soon'/);
    expect(errors.length).toBeGreaterThan(0);
  });
});
