import type { JSDocableNode } from 'ts-morph';

export interface DocComment {
  /** The prose before the first tag; wrapped lines joined, paragraphs kept. */
  description?: string;
  /** Tag name → its text ('' for a bare flag such as `@hidden`). */
  tags: Map<string, string>;
}

/** Tags that only document the type and never reach schema.json. */
const PROSE_TAGS = new Set(['example', 'see', 'remarks']);

/**
 * Reads the JSDoc nearest to `node`. Tags are recognised only at the start of a line: TypeScript's
 * own tag parser splits on any ` @`, which breaks `@pattern` regexes and `@default` strings.
 * A tag written mid-line would be silently lost, so it is refused instead.
 */
export function readDocComment(
  node: JSDocableNode,
  allowedTags: readonly string[],
  fail: (problem: string) => never,
  { ignoreUnknownTags = false } = {},
): DocComment {
  const jsDocs = node.getJsDocs();
  const tags = new Map<string, string>();
  if (jsDocs.length === 0) return { tags };

  const lines = jsDocs[jsDocs.length - 1]
    .getInnerText()
    .split(/\r?\n/)
    .map((line) => line.trim());
  const firstTag = lines.findIndex((line) => line.startsWith('@'));
  const proseLines = firstTag === -1 ? lines : lines.slice(0, firstTag);
  const tagLines = firstTag === -1 ? [] : lines.slice(firstTag);

  const description = joinParagraphs(proseLines);
  const midLineTag = allowedTags.length > 0 && description?.match(new RegExp(`(?:^|\\s)@(${allowedTags.join('|')})\\b`));
  if (midLineTag) fail(`JSDoc tag @${midLineTag[1]} must start its own line`);

  let current: { name: string; text: string[] } | undefined;
  const flush = () => {
    if (!current || PROSE_TAGS.has(current.name)) return;
    if (!allowedTags.includes(current.name)) {
      if (ignoreUnknownTags) return;
      fail(`unknown JSDoc tag @${current.name} (allowed here: ${allowedTags.map((t) => `@${t}`).join(', ')})`);
    }
    if (tags.has(current.name)) fail(`JSDoc tag @${current.name} is given twice`);
    tags.set(current.name, current.text.join(' ').trim());
  };
  for (const line of tagLines) {
    const tag = line.match(/^@(\w+)\s*(.*)$/);
    if (tag) {
      flush();
      current = { name: tag[1], text: [tag[2]] };
    } else {
      current?.text.push(line);
    }
  }
  flush();
  return { description, tags };
}

function joinParagraphs(lines: string[]): string | undefined {
  const paragraphs: string[][] = [[]];
  for (const line of lines) {
    if (line === '') paragraphs.push([]);
    else paragraphs[paragraphs.length - 1].push(line);
  }
  const text = paragraphs
    .filter((p) => p.length > 0)
    .map((p) => p.join(' '))
    .join('\n\n');
  return text === '' ? undefined : text;
}
