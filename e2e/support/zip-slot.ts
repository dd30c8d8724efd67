import { execFileSync } from 'node:child_process';

/** A change to one entry of a fipskit Python's zip slot: drop it, or replace text that must be there. */
export type ZipSlotEdit = { drop: true } | { find: string; replace: string };

/**
 * Rewrites the zip slot (`lib/python3XY.zip`) of a copy of a fipskit Python, entry by entry: how a test takes
 * one protection out to prove the check that notices its absence. Python's own zipfile reads and writes it.
 */
export function editZipSlot(zip: string, edits: Record<string, ZipSlotEdit>): void {
  const script = [
    'import json, sys, zipfile',
    'path, edits = sys.argv[1], json.loads(sys.argv[2])',
    'with zipfile.ZipFile(path) as z:',
    '    entries = [(n, z.read(n).decode()) for n in z.namelist()]',
    'out = []',
    'for name, text in entries:',
    '    edit = edits.pop(name, None)',
    '    if edit and edit.get("drop"):',
    '        continue',
    '    if edit:',
    '        if edit["find"] not in text:',
    '            sys.exit("%s does not contain %r" % (name, edit["find"]))',
    '        text = text.replace(edit["find"], edit["replace"])',
    '    out.append((name, text))',
    'if edits:',
    '    sys.exit("no such entries: %s" % ", ".join(edits))',
    'with zipfile.ZipFile(path, "w") as z:',
    '    for name, text in out:',
    '        z.writestr(name, text)',
  ].join('\n');
  execFileSync('python3', ['-I', '-c', script, zip, JSON.stringify(edits)], { stdio: 'pipe' });
}
