// The end-to-end files in a fixed order: fips-python builds the committed project once; the files after it ship that
// build (ship) and build other projects, so no file depends on jest's own order (it sorts by size and past durations).
const Sequencer = require('@jest/test-sequencer').default;

const ORDER = ['fips-python.e2e.ts', 'ship.e2e.ts', 'cpython-regrtest.e2e.ts', 'provider-split.e2e.ts', 'published-plugin.e2e.ts', 'ci-workflow.e2e.ts'];
const rank = (path) => {
  const index = ORDER.findIndex((name) => path.endsWith(`/${name}`));
  return index < 0 ? ORDER.length : index;
};

class E2eSequencer extends Sequencer {
  sort(tests) {
    if (!tests.every((test) => test.path.endsWith('.e2e.ts'))) return super.sort(tests);
    return [...tests].sort((a, b) => rank(a.path) - rank(b.path) || (a.path < b.path ? -1 : 1));
  }
}

module.exports = E2eSequencer;
