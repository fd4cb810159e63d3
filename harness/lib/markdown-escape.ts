/**
 * Text in the Markdown reports that a runtime (or a suite author) controls. report.md ends up in GitHub job
 * summaries, which render Markdown with HTML: a runtime printing `<img onerror=…>`, `</details>`, `# all passed` or
 * three backticks must show as text, never become markup, a link or the end of a code block.
 *
 * Runtime text goes into code spans (never parsed for emphasis, links, autolinks or HTML) and code blocks whose
 * fence is longer than any backtick run inside; prose from suites is escaped character by character.
 */

/**
 * One value stays on one line of the file: newlines as spaces, a lone CR (a line ending to CommonMark) shown as
 * `\u000d` as the reports show other control characters.
 */
function oneLine(s: string): string {
  return s.replace(/\r?\n|[\u2028\u2029]/g, ' ').replace(/\r/g, '\\u000d');
}

function longestBacktickRun(s: string): number {
  let longest = 0;
  for (const m of s.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return longest;
}

/**
 * An inline code span holding `s` literally. `inTable` escapes `|`, which GitHub's tables split cells on even
 * inside code (the table parser reads `\|` back as `|`).
 */
export function mdCode(s: string, options: { inTable?: boolean } = {}): string {
  let text = oneLine(s);
  if (options.inTable) text = text.replace(/\|/g, '\\|');
  if (text.length === 0) return '` `';
  const fence = '`'.repeat(longestBacktickRun(text) + 1);
  // A space on each side when the content starts or ends with a backtick (CommonMark strips one of each).
  const pad = text.startsWith('`') || text.endsWith('`') || (text.startsWith(' ') && text.endsWith(' ')) ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A fenced code block around `body` (lines kept), its fence longer than any backtick run inside. */
export function mdFence(body: string, info = ''): string {
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(body) + 1));
  return `${fence}${info}\n${body}\n${fence}`;
}

const MARKDOWN_PUNCTUATION = /[\\`*_[\]()#!|~@]/g;
const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/**
 * Prose for an inline position (a heading, a table cell, a quote): HTML characters as entities, the Markdown
 * characters that make emphasis, code, links, images, tables and headings backslash-escaped, autolinks broken
 * (`https\://`, `www\.`), a list marker at the start escaped, all on one line.
 */
export function mdText(s: string): string {
  return oneLine(s)
    .replace(/[&<>"]/g, (c) => HTML_ENTITIES[c]!)
    .replace(MARKDOWN_PUNCTUATION, (c) => `\\${c}`)
    .replace(/:\/\//g, '\\://')
    .replace(/\b(www)\./gi, '$1\\.')
    .replace(
      /^(\s*)([-+]|\d+(?=[.)]))/,
      (_, space: string, marker: string) => `${space}${/\d/.test(marker) ? marker.replace(/(\d+)$/, '$1\\') : `\\${marker}`}`,
    );
}
