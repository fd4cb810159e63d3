/**
 * report.md lands in GitHub job summaries, rendered as Markdown with HTML. Rendered with markdown-it configured
 * like GitHub (HTML and autolinks on), a report whose runtime text tries every way out of its place must have
 * exactly the structure of the same report with harmless text: no element, heading, link, image or closed
 * <details> comes from the runtime.
 */
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import type { CaseReport } from '../model/report-model.ts';
import { renderComparison } from '../snapshots/snapshot.ts';
import { hostileCase, MARKDOWN_HOSTILE } from '../testing/hostile.ts';
import { sampleCase, sampleReport } from '../testing/sample-report.ts';
import { renderMarkdown } from './markdown.ts';
import { buildMatrix, renderMatrixMarkdown } from './matrix.ts';

const md = new MarkdownIt({ html: true, linkify: true });
type Token = ReturnType<typeof md.parse>[number];
const SOURCE = 'https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html';

/** Every token, nested ones included, as type:tag — the document's structure without its text. */
function structure(markdown: string): string[] {
  const walk = (tokens: Token[]): string[] =>
    tokens.flatMap((t) => [...(['text', 'softbreak', 'text_special'].includes(t.type) ? [] : [`${t.type}:${t.tag}${t.type.startsWith('html') ? `:${t.content.trim()}` : ''}`]), ...walk(t.children ?? [])]);
  return walk(md.parse(markdown, {}));
}

function cases(text: string): CaseReport[] {
  return [
    hostileCase('error.hostile', text, SOURCE),
    sampleCase({ id: 'streaming.skip', verdict: 'skipped', reason: text, title: text }),
    sampleCase({ id: 'context.warn', verdict: 'non-strict', reason: text, findings: [{ step: 1, path: 'result.payload', expected: text, actual: text }] }),
  ];
}

function report(text: string) {
  return { ...sampleReport(cases(text)), stopped: text };
}

describe('report.md with hostile runtime text', () => {
  const hostile = renderMarkdown(report(MARKDOWN_HOSTILE));
  const benign = renderMarkdown(report('plain words'));

  it('has the structure of the same report with plain text', () => {
    expect(structure(hostile)).toEqual(structure(benign));
  });

  it('renders no element, heading, image or link of the runtime, and keeps every <details> open until its own end', () => {
    const html = md.render(hostile);
    expect(html).not.toMatch(/<img|<script|<h1>all 74|<a href="https:\/\/evil|<strong>bold|<em>em|<del>|<blockquote>\s*<p>quote/);
    expect(html.match(/<\/details>/g)?.length).toBe(benign.match(/<\/details>/g)?.length);
    expect(structure(hostile).filter((t) => t.startsWith('heading_open'))).toEqual(structure(benign).filter((t) => t.startsWith('heading_open')));
    // The text is still all there to read.
    expect(html).toContain('# all 74 cases passed');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('puts a wire exchange holding a backtick fence in a longer fence', () => {
    expect(hostile).toMatch(/^`{5}http$/m);
    expect(structure(hostile).filter((t) => t === 'fence:code')).toHaveLength(1);
  });
});

describe('matrix.md and parity.md with hostile runtime text', () => {
  it('have the structure of the same files with plain text', () => {
    const matrix = (text: string) => renderMatrixMarkdown({ ...buildMatrix([sampleReport(cases(text))]), generatedAt: 'then' });
    expect(structure(matrix(MARKDOWN_HOSTILE))).toEqual(structure(matrix('plain words')));
    const parity = (text: string) =>
      renderComparison({
        snapshot: { path: 'snap.json', target: 'deployed', subject: 'fn', createdAt: 'then' },
        compared: 1,
        differences: [{ caseId: 'error.hostile', step: 1, field: 'payload', recorded: text, local: text }],
        notCompared: [],
      });
    expect(structure(parity(MARKDOWN_HOSTILE))).toEqual(structure(parity('plain words')));
  });
});
