/** Markdown summary of a report: totals, per-area table, then every case that did not pass, with its evidence. */
import { droppedSummary } from './dropped-output.ts';
import { mdCode, mdFence, mdText } from '../lib/markdown-escape.ts';
import type { CaseReport, ColdStartMeasurement, RunReport, Verdict } from '../model/report-model.ts';

export const VERDICT_MARK: Record<Verdict, string> = {
  pass: '✅ pass',
  fail: '❌ fail',
  'non-strict': '⚠️ non-strict',
  informational: 'ℹ️ informational',
  inconclusive: '❔ inconclusive',
  skipped: '⏭️ skipped',
};

/** Prose for a Markdown table cell or inline position: no markup, HTML or link can come of it (markdown-escape.ts). */
export function cell(s: string): string {
  return mdText(s);
}

/** A suite's source: a link when it is a plain http(s) URL, escaped text otherwise. */
function sourceLink(source: string): string {
  return /^https?:\/\/[^\s<>()[\]`"'\\]+$/.test(source) ? `<${source}>` : mdText(source);
}

function caseDetail(c: CaseReport): string {
  const lines = [
    `### ${VERDICT_MARK[c.verdict]} — ${mdCode(c.id)} (${c.level.toUpperCase()})`,
    '',
    `**${mdText(c.title)}**`,
    '',
    `> ${mdText(c.requirement)}`,
    '',
    `Source: ${sourceLink(c.source)} · defined at ${mdCode(c.location)}`,
  ];
  if (c.rationale) lines.push('', `Level rationale: ${mdText(c.rationale)}`);
  // The reason quotes what the runtime sent: a code span, so none of it is read as Markdown or HTML.
  if (c.reason) lines.push('', `**Why:** ${mdCode(c.reason)}`);
  for (const p of c.evidence.processes ?? []) {
    const dropped = p.outputDropped && droppedSummary(p.outputDropped);
    if (dropped) lines.push('', `Runtime output over the capture budget (pid ${p.pid ?? '?'}): ${dropped}.`);
  }
  if (c.findings.length > 0) {
    lines.push('', '| step | check | expected | actual |', '|---|---|---|---|');
    const code = (s: string): string => mdCode(s, { inTable: true });
    for (const f of c.findings.slice(0, 20)) lines.push(`| ${f.step} | ${code(f.path)} | ${code(f.expected)} | ${code(f.actual)} |`);
  }
  const wire = c.evidence.exchanges.slice(0, 8);
  if (wire.length > 0) {
    const http: string[] = [];
    for (const x of wire) {
      http.push(`${x.request.method} ${x.request.target}${x.injected ? `   # injected: ${x.injected}` : ''}${x.fault ? `   # framing fault: ${x.fault.kind}` : ''}`);
      for (const h of x.request.headers) http.push(`${h.name}: ${h.value}`);
      if (x.request.body.size > 0) http.push('', preview(x.request.body.utf8, x.request.body.size));
      if (x.request.chunked) http.push(`# chunks: ${x.request.chunks.map((k) => k.size).join(', ')}`);
      if (x.response) http.push(`# → ${x.response.status} ${preview(x.response.body.utf8, x.response.body.size)}`);
      http.push('');
    }
    // The fence outgrows any backtick run the runtime sent, so its bytes cannot close the block.
    lines.push('', '<details><summary>Wire exchanges</summary>', '', mdFence(http.join('\n'), 'http'), '', '</details>');
  }
  return lines.join('\n');
}

/** Control characters (NULs of an HTTP-integration prelude, CRs) shown as escapes, so the file stays text. */
export function visible(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function preview(text: string | undefined, size: number): string {
  if (text === undefined) return `<${size} bytes, not UTF-8>`;
  return text.length > 300 ? `${text.slice(0, 300)}… (${size} bytes)` : text;
}

function coldStartSection(m: ColdStartMeasurement): string[] {
  const out = ['## Cold starts', ''];
  if (m.degraded) out.push(`_${mdText(m.degraded)}_`, '');
  out.push('| # | Init Duration | Duration | Billed | Max Memory Used | client |', '|---|---|---|---|---|---|');
  m.samples.forEach((x, i) => {
    out.push(`| ${i + 1} | ${x.initDurationMs !== undefined ? `${x.initDurationMs.toFixed(2)} ms` : 'warm'} | ${x.durationMs.toFixed(2)} ms | ${x.billedDurationMs} ms | ${x.maxMemoryUsedMb} MB | ${x.clientMs.toFixed(1)} ms |`);
  });
  return out;
}

/** First thing under the title: a partial run must not read as a green one. */
function incompleteNotice(report: RunReport): string[] {
  if (!report.interrupted && report.stopped === undefined) return [];
  const missing = report.notRun?.length ?? 0;
  const how = report.stopped !== undefined ? 'Stopped early' : 'Interrupted';
  return [`> **${how}: incomplete run.** ${report.cases.length} cases ran, ${missing} did not; exit code ${report.exitCode}.`, ''];
}

/** The warning at the top of a report whose runtime called paths the Runtime API does not serve. */
function unknownRoutesWarning(routes: NonNullable<RunReport['unknownRoutes']>): string[] {
  const lines = ['> **Warning: the runtime called paths the Runtime API does not serve** — its other failures may follow from this.', '>'];
  for (const r of routes.slice(0, 10)) lines.push(`> - ${mdCode(r.request)} in ${r.cases.length} case${r.cases.length === 1 ? '' : 's'} (${r.cases.slice(0, 5).map((id) => mdCode(id)).join(', ')}${r.cases.length > 5 ? ', …' : ''})`);
  if (routes.length > 10) lines.push(`> - … and ${routes.length - 10} more`);
  return [...lines, ''];
}

export function renderMarkdown(report: RunReport): string {
  const s = report.summary;
  const lines = [
    `# lambdaspec report — ${mdText(report.runtime.name)}`,
    '',
    ...incompleteNotice(report),
    `Runtime ${mdCode(report.runtime.name)} (${mdText(report.runtime.language)}, ${mdText(report.runtime.architecture)}; capabilities: ${mdText(Object.entries(report.runtime.capabilities).filter(([, v]) => v).map(([k]) => k).join(', ') || 'none')}) on target ${mdCode(report.target)}, ${report.startedAt}, ${(report.durationMs / 1000).toFixed(1)} s${report.interrupted ? ' — **interrupted: partial report**' : ''}.`,
    '',
    `**${s.pass} pass · ${s.fail} fail · ${s['non-strict']} non-strict · ${s.informational} informational · ${s.inconclusive} inconclusive · ${s.skipped} skipped** of ${s.total} cases — exit code ${report.exitCode}${report.options.strict ? ' (strict)' : ''}.`,
    '',
    '| area | pass | fail | non-strict | informational | inconclusive | skipped |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const [area, c] of Object.entries(s.byArea).sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`| ${mdText(area)} | ${c.pass} | ${c.fail} | ${c['non-strict']} | ${c.informational} | ${c.inconclusive} | ${c.skipped} |`);
  }
  if (report.unknownRoutes?.length) lines.splice(2, 0, ...unknownRoutesWarning(report.unknownRoutes));
  if (report.stopped) lines.push('', `**The run stopped early:** ${mdCode(report.stopped)}. The cases below are the ones done before it.`);
  if (report.coldStarts) lines.push('', ...coldStartSection(report.coldStarts));
  const notPassed = report.cases.filter((c) => c.verdict !== 'pass' && c.verdict !== 'skipped');
  const order: Verdict[] = ['fail', 'inconclusive', 'non-strict', 'informational'];
  notPassed.sort((a, b) => order.indexOf(a.verdict) - order.indexOf(b.verdict) || a.id.localeCompare(b.id));
  if (notPassed.length > 0) {
    lines.push('', '## Cases that did not pass', '');
    for (const c of notPassed) lines.push(caseDetail(c), '');
  }
  const skipped = report.cases.filter((c) => c.verdict === 'skipped');
  if (skipped.length > 0) {
    lines.push('', '## Skipped', '', '| case | reason |', '|---|---|');
    for (const c of skipped) lines.push(`| ${mdCode(c.id, { inTable: true })} | ${cell(c.reason ?? '')} |`);
  }
  lines.push('', '## All cases', '', '| case | level | verdict | time |', '|---|---|---|---|');
  for (const c of report.cases) lines.push(`| ${mdCode(c.id, { inTable: true })} ${cell(c.title)} | ${c.level} | ${VERDICT_MARK[c.verdict]} | ${c.durationMs.toFixed(0)} ms |`);
  return `${visible(lines.join('\n'))}\n`;
}
