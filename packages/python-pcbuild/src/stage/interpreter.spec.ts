import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ToolRunner } from '@fipskit/core';
import { probeInterpreter } from './interpreter';

/** A program that answers as an old Python does: no -I before 3.4, and the version for -E -s -c. */
function oldPython(version: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fipskit-old-python-'));
  const python = join(dir, 'python');
  writeFileSync(python, `#!/bin/sh\n[ "$1" = "-I" ] && { echo "Unknown option: -I" >&2; exit 2; }\necho ${version}\n`);
  chmodSync(python, 0o755);
  return python;
}

(process.platform === 'win32' ? describe.skip : describe)('asking an existing interpreter', () => {
  it('an interpreter too old for the probe is refused by its version, with the supported range', async () => {
    const python = oldPython('2.7.18');
    await expect(probeInterpreter(new ToolRunner(), python, tmpdir())).rejects.toThrow(
      `The interpreter ${python} is Python 2.7.18: fipskit builds for CPython 3.10 to 3.14 (CPython supports OpenSSL 3 from 3.10 on).`,
    );
  });

  it('a program that does not say a version keeps the plain message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fipskit-not-python-'));
    writeFileSync(join(dir, 'python'), '#!/bin/sh\nexit 3\n');
    chmodSync(join(dir, 'python'), 0o755);
    await expect(probeInterpreter(new ToolRunner(), join(dir, 'python'), tmpdir())).rejects.toThrow(
      /^Could not run the interpreter .*: .* Set interpreter to an existing Python 3 executable\.$/,
    );
  });
});
