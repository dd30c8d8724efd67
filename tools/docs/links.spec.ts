import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** README.md and the docs/ pages: every relative link names a file that exists, and a heading in it when it has #. */
const ROOT = resolve(__dirname, '..', '..');
const DOCUMENTS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** GitHub's anchor for a heading: lower case, punctuation other than - and _ dropped, spaces to -. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\- ]/gu, '')
    .replace(/ /g, '-');
}

function headings(file: string): Set<string> {
  const found = new Set<string>();
  let fenced = false;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const match = !fenced && line.match(/^#{1,6} (.*)$/);
    if (match) found.add(anchor(match[1]));
  }
  return found;
}

function links(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((target) => !/^[a-z]+:/.test(target));
}

describe('documentation links', () => {
  it('the README links every docs/ page', () => {
    const linked = new Set(links(join(ROOT, 'README.md')).map((target) => target.split('#')[0]));
    expect(DOCUMENTS.filter((doc) => doc !== 'README.md' && !linked.has(doc))).toEqual([]);
  });

  it.each(DOCUMENTS)('%s: every relative link and anchor resolves', (doc) => {
    const file = join(ROOT, doc);
    const broken = links(file).filter((target) => {
      const [path, hash] = target.split('#');
      const to = path ? resolve(dirname(file), path) : file;
      if (!existsSync(to)) return true;
      return hash !== undefined && to.endsWith('.md') && !headings(to).has(hash);
    });
    expect(broken.map((target) => `${relative(ROOT, file)} → ${target}`)).toEqual([]);
  });
});
