import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SUITE_DIR, loadSuites } from '../scenarios/suite-loader.ts';
import { buildMatrix, renderMatrixMarkdown, type Matrix } from './matrix.ts';
import { sampleCase, sampleReport } from '../testing/sample-report.ts';

describe('compliance matrix', () => {
  it('puts each case in a row, each runtime in a column, with totals and reasons', () => {
    const a = sampleReport([sampleCase({ id: 'error.x', verdict: 'pass' }), sampleCase({ id: 'next.y', verdict: 'fail', reason: 'no /next' })]);
    const b = { ...sampleReport([sampleCase({ id: 'error.x', verdict: 'skipped', reason: 'unsupported' })]), runtime: { ...a.runtime, name: 'other' } };
    const m = buildMatrix([a, b], new Date('2026-01-01T00:00:00Z'));
    expect(m.rows.map((r) => r.id)).toEqual(['error.x', 'next.y']);
    expect(m.rows[0]!.cells).toEqual({ rt: { verdict: 'pass' }, other: { verdict: 'skipped', reason: 'unsupported' } });
    expect(m.runtimes.map((r) => [r.name, r.totals.total, r.totals.fail])).toEqual([['rt', 2, 1], ['other', 1, 0]]);
    const md = renderMatrixMarkdown(m);
    expect(md).toContain('| case | level | rt | other |');
    expect(md).toContain('| `next.y` title of next.y | must | ❌ | — |');
    expect(md).toContain('- **rt** `next.y` (fail): `no /next`');
    const unsure = buildMatrix([sampleReport([sampleCase({ id: 'next.z', verdict: 'inconclusive', reason: 'the 500 was never served' })])]);
    expect(unsure.runtimes[0]!.totals.inconclusive).toBe(1);
    const unsureMd = renderMatrixMarkdown(unsure);
    expect(unsureMd).toContain('| runtime | language | pass | fail | non-strict | informational | inconclusive | skipped |');
    expect(unsureMd).toContain('| `next.z` title of next.z | must | ❔ |');
    expect(unsureMd).toContain('- **rt** `next.z` (inconclusive): `the 500 was never served`');
  });

  it('committed matrix is current: its rows are exactly the suite\'s case ids', () => {
    const path = fileURLToPath(new URL('../../reports/matrix/matrix.json', import.meta.url));
    expect(existsSync(path), 'reports/matrix/matrix.json is committed (run npm start to regenerate)').toBe(true);
    const committed = JSON.parse(readFileSync(path, 'utf8')) as Matrix;
    const ids = loadSuites([DEFAULT_SUITE_DIR]).cases.map((c) => c.id).sort();
    expect(committed.rows.map((r) => r.id).sort(), 'the committed matrix is stale: run npm start and commit reports/matrix').toEqual(ids);
  });
});
