/** Building a snapshot from a run report, reading one back, and comparing a run against it. */
import { mdCode } from '../lib/markdown-escape.ts';
import { readFileSync } from 'node:fs';
import type { CaseReport, RunReport } from '../model/report-model.ts';
import { UserError } from '../lib/user-error.ts';
import type { Snapshot, SnapshotCase, SnapshotComparison, SnapshotDifference, SnapshotStep } from './snapshot-model.ts';

/** Compared REPORT fields: Init Duration is left out (a warm deployed function and a fresh local one differ by design). */
const COMPARED_REPORT_FIELDS = new Set(['Duration', 'Billed Duration', 'Memory Size', 'Max Memory Used', 'Status', 'Error Type']);

function snapshotCase(c: CaseReport): SnapshotCase {
  const steps: SnapshotStep[] = c.evidence.results.map((r) => ({
    step: r.step,
    ...(r.functionError !== undefined ? { functionError: r.functionError } : {}),
    ...(r.errorType !== undefined ? { errorType: r.errorType } : {}),
    ...(r.payloadDigest !== undefined ? { payloadDigest: r.payloadDigest } : {}),
    ...(r.payloadPreview !== undefined ? { payloadPreview: r.payloadPreview } : {}),
    ...(r.payloadSize !== undefined ? { payloadSize: r.payloadSize } : {}),
    ...(r.reportFields !== undefined ? { reportFields: r.reportFields } : {}),
    ...(r.chunks !== undefined ? { chunks: r.chunks } : {}),
  }));
  return { id: c.id, verdict: c.verdict, ...(c.verdict === 'skipped' ? { skipped: c.reason ?? 'skipped' } : {}), steps };
}

export function snapshotFromReport(report: RunReport, subject: string): Snapshot {
  return {
    format: 'lambdaspec.snapshot/v1',
    createdAt: new Date().toISOString(),
    target: report.target,
    subject,
    cases: report.cases.map(snapshotCase),
  };
}

export function readSnapshot(path: string): Snapshot {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : e instanceof Error ? e.message : String(e);
    throw new UserError(`--against ${path}: cannot read the snapshot (${why})`);
  }
  const s = doc as Partial<Snapshot>;
  if (s.format !== 'lambdaspec.snapshot/v1' || !Array.isArray(s.cases)) {
    throw new UserError(
      `--against ${path}: not a lambdaspec snapshot (expected "format": "lambdaspec.snapshot/v1"; make one with 'lambdaspec snapshot')`,
    );
  }
  return s as Snapshot;
}

const show = (v: unknown): string => (v === undefined ? '(none)' : Array.isArray(v) ? v.join(', ') || '(none)' : String(v));

function stepDifferences(id: string, a: SnapshotStep, b: SnapshotStep): SnapshotDifference[] {
  const out: SnapshotDifference[] = [];
  const d = (field: string, recorded: unknown, local: unknown): void => {
    out.push({ caseId: id, step: a.step, field, recorded: show(recorded), local: show(local) });
  };
  if (a.functionError !== b.functionError) d('functionError', a.functionError, b.functionError);
  if (a.errorType !== b.errorType) d('errorType', a.errorType, b.errorType);
  if (a.payloadDigest !== b.payloadDigest) d('payload', a.payloadPreview ?? a.payloadDigest, b.payloadPreview ?? b.payloadDigest);
  const fa = (a.reportFields ?? []).filter((f) => COMPARED_REPORT_FIELDS.has(f));
  const fb = (b.reportFields ?? []).filter((f) => COMPARED_REPORT_FIELDS.has(f));
  if (fa.join() !== fb.join()) d('reportFields', fa, fb);
  if (a.chunks !== undefined && b.chunks !== undefined && a.chunks !== b.chunks) d('chunks', a.chunks, b.chunks);
  return out;
}

/** Every case whose outcome in `local` differs from the snapshot; skipped or missing cases are listed, not judged. */
export function compareWithSnapshot(snapshot: Snapshot, path: string, local: Snapshot): SnapshotComparison {
  const localById = new Map(local.cases.map((c) => [c.id, c]));
  const notCompared: SnapshotComparison['notCompared'] = [];
  const differences: SnapshotDifference[] = [];
  let compared = 0;
  for (const rec of snapshot.cases) {
    const loc = localById.get(rec.id);
    if (!loc) {
      notCompared.push({ id: rec.id, why: 'not in this run' });
      continue;
    }
    if (rec.skipped !== undefined || loc.verdict === 'skipped') {
      notCompared.push({ id: rec.id, why: rec.skipped !== undefined ? `skipped when recorded: ${rec.skipped}` : 'skipped in this run' });
      continue;
    }
    compared++;
    if (rec.steps.length !== loc.steps.length) {
      differences.push({ caseId: rec.id, field: 'steps', recorded: String(rec.steps.length), local: String(loc.steps.length) });
      continue;
    }
    rec.steps.forEach((s, i) => differences.push(...stepDifferences(rec.id, s, loc.steps[i]!)));
  }
  for (const c of local.cases) if (!snapshot.cases.some((r) => r.id === c.id)) notCompared.push({ id: c.id, why: 'not in the snapshot' });
  return {
    snapshot: { path, target: snapshot.target, subject: snapshot.subject, createdAt: snapshot.createdAt },
    compared,
    notCompared,
    differences,
  };
}

/** The comparison as Markdown, for the terminal and parity.md. */
export function renderComparison(c: SnapshotComparison): string {
  const lines = [
    `## Parity with ${c.snapshot.path} (${c.snapshot.subject} on ${c.snapshot.target}, recorded ${c.snapshot.createdAt})`,
    '',
    `${c.compared} cases compared, ${c.differences.length === 0 ? 'no differences' : `${new Set(c.differences.map((d) => d.caseId)).size} differ`}; ${c.notCompared.length} not compared.`,
  ];
  if (c.differences.length > 0) {
    lines.push('', '| case | step | outcome | recorded | this run |', '|---|---|---|---|---|');
    // Outcomes quote what the runtime sent: code spans, so none of it becomes Markdown or HTML.
    const cell = (s: string): string => mdCode(s.length > 120 ? `${s.slice(0, 120)}…` : s, { inTable: true });
    for (const d of c.differences)
      lines.push(`| ${cell(d.caseId)} | ${d.step ?? ''} | ${cell(d.field)} | ${cell(d.recorded)} | ${cell(d.local)} |`);
  }
  return `${lines.join('\n')}\n`;
}
