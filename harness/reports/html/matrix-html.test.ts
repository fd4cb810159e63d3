import { describe, expect, it } from 'vitest';
import { buildMatrix } from '../matrix.ts';
import { sampleCase, sampleReport } from '../../testing/sample-report.ts';
import { HOSTILE } from '../../testing/hostile.ts';
import { renderMatrixHtml } from './matrix-html.ts';

function matrix() {
  const a = sampleReport([sampleCase({ id: 'error.x', verdict: 'pass' }), sampleCase({ id: 'next.y', verdict: 'fail', reason: `no /next ${HOSTILE}` })]);
  const b = { ...sampleReport([sampleCase({ id: 'error.x', verdict: 'skipped', reason: 'unsupported' })]), runtime: { ...a.runtime, name: 'other' } };
  return buildMatrix([a, b], new Date('2026-01-01T00:00:00Z'), { rt: { 'next.y': `a real deviation ${HOSTILE}` } });
}

describe('matrix.html', () => {
  const html = renderMatrixHtml(matrix(), { reportHref: (name) => (name === 'rt' ? '../rt/report.html' : undefined) });

  it('has one row per case and one coloured, labelled cell per runtime that ran it', () => {
    expect(html.match(/<tr class="row"/g)).toHaveLength(2);
    expect(html.match(/<button type="button" class="cell/g)).toHaveLength(3);
    expect(html).toContain('class="cell v-fail dev"');
    expect(html).toContain('✗ fail <span class="dev-mark">D</span>');
    expect(html).toContain('class="cell v-skipped"');
    // next.y did not run on "other": a dash, not a button.
    expect(html).toContain('title="not run"');
  });

  it('gives each cell what the why-panel shows: reason, deviation and the link to the runtime report', () => {
    const cell = html.slice(html.indexOf('data-case="next.y"'));
    expect(cell).toMatch(/^data-case="next.y"[^>]*data-reason="no \/next &lt;script&gt;/);
    expect(cell).toMatch(/^[^>]*data-deviation="a real deviation &lt;script&gt;/);
    expect(cell).toMatch(/^[^>]*data-href="..\/rt\/report.html"/);
    const other = /<button[^>]*data-rt="other"[^>]*>/.exec(html)?.[0];
    expect(other).toBeDefined();
    expect(other).not.toContain('data-href');
    expect(html).toContain('id="why"');
  });

  it('escapes every reason and deviation', () => {
    expect(html.match(/<script\b/gi)).toHaveLength(1);
    expect(html).not.toContain(HOSTILE);
  });
});
