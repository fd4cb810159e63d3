/**
 * The compliance matrix: one row per case, one column per runtime, the verdict in each cell, grouped by area, with
 * per-runtime totals — implementation × case, as the WebSocket and HTTP/2 conformance suites publish theirs.
 */
import { mdCode } from '../lib/markdown-escape.ts';
import { countVerdicts, type Level, type RunReport, type Verdict, type VerdictCounts } from '../model/report-model.ts';
import { cell, VERDICT_MARK, visible } from './markdown.ts';

export interface MatrixRow {
  id: string;
  area: string;
  title: string;
  level: Level;
  /** runtime name → verdict and, when not a pass, why. */
  cells: Record<string, { verdict: Verdict; reason?: string }>;
}

export interface Matrix {
  format: 'lambdaspec.matrix/v1';
  generatedAt: string;
  runtimes: Array<{ name: string; language: string; capabilities: Record<string, boolean>; totals: VerdictCounts; deviations?: Record<string, string> }>;
  rows: MatrixRow[];
}

/**
 * `deviations`: per runtime name, the MUST cases it documents as real deviations (case id → evidence); by default
 * those each report carries from its runtime.yaml.
 */
export function buildMatrix(reports: readonly RunReport[], generatedAt = new Date(), deviations: Record<string, Record<string, string>> = {}): Matrix {
  const rows = new Map<string, MatrixRow>();
  for (const r of reports) {
    for (const c of r.cases) {
      const row = rows.get(c.id) ?? { id: c.id, area: c.area, title: c.title, level: c.level, cells: {} };
      row.cells[r.runtime.name] = { verdict: c.verdict, ...(c.verdict !== 'pass' && c.reason ? { reason: c.reason } : {}) };
      rows.set(c.id, row);
    }
  }
  return {
    format: 'lambdaspec.matrix/v1',
    generatedAt: generatedAt.toISOString(),
    runtimes: reports.map((r) => {
      const { byArea: _byArea, ...totals } = countVerdicts(r.cases);
      const documented = deviations[r.runtime.name] ?? r.runtime.deviations;
      return { name: r.runtime.name, language: r.runtime.language, capabilities: r.runtime.capabilities, totals, ...(documented && Object.keys(documented).length ? { deviations: documented } : {}) };
    }),
    rows: [...rows.values()],
  };
}

const SHORT: Record<Verdict, string> = { pass: '✅', fail: '❌', 'non-strict': '⚠️', informational: 'ℹ️', inconclusive: '❔', skipped: '⏭️' };

export function renderMatrixMarkdown(m: Matrix): string {
  const names = m.runtimes.map((r) => r.name);
  const lines = [
    '# lambdaspec compliance matrix',
    '',
    `Generated ${m.generatedAt} by \`lambdaspec matrix\`. ${Object.entries(VERDICT_MARK).map(([, v]) => v).join(' · ')}.`,
    '',
    '## Totals',
    '',
    '| runtime | language | pass | fail | non-strict | informational | inconclusive | skipped |',
    '|---|---|---|---|---|---|---|---|',
    ...m.runtimes.map((r) => `| ${cell(r.name)} | ${cell(r.language)} | ${r.totals.pass} | ${r.totals.fail} | ${r.totals['non-strict']} | ${r.totals.informational} | ${r.totals.inconclusive} | ${r.totals.skipped} |`),
  ];
  const areas = [...new Set(m.rows.map((r) => r.area))];
  for (const area of areas) {
    lines.push('', `## ${cell(area)}`, '', `| case | level | ${names.map(cell).join(' | ')} |`, `|---|---|${names.map(() => '---').join('|')}|`);
    for (const row of m.rows.filter((r) => r.area === area)) {
      const cells = names.map((n) => {
        const c = row.cells[n];
        return c ? SHORT[c.verdict] : '—';
      });
      lines.push(`| ${mdCode(row.id, { inTable: true })} ${cell(row.title)} | ${row.level} | ${cells.join(' | ')} |`);
    }
  }
  const notes = m.rows.flatMap((row) =>
    names.flatMap((n) => {
      const c = row.cells[n];
      return c && c.verdict !== 'pass' && c.verdict !== 'skipped' && c.reason ? [`- **${cell(n)}** ${mdCode(row.id)} (${c.verdict}): ${mdCode(c.reason)}`] : [];
    }),
  );
  if (notes.length > 0) lines.push('', '## Why the cells that are not a pass', '', ...notes);
  const documented = m.runtimes.flatMap((r) => Object.entries(r.deviations ?? {}).map(([id, why]) => `- **${cell(r.name)}** ${mdCode(id)}: ${cell(why)}`));
  if (documented.length > 0) lines.push('', '## Documented deviations of the runtimes (MUST failures that are the runtime\'s, with evidence)', '', ...documented);
  return `${visible(lines.join('\n'))}\n`;
}
