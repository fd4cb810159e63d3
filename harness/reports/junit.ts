/** JUnit XML view of a report: one testsuite per area, one testcase per case; MUST/SHOULD breaks are failures. */
import type { CaseReport, NotRunCase, RunReport } from '../model/report-model.ts';

export function escapeXml(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function findingsText(c: CaseReport): string {
  const lines = c.findings.map((f) => `step ${f.step}: ${f.path}: expected ${f.expected}, got ${f.actual}`);
  return [`${c.level.toUpperCase()}: ${c.requirement}`, `source: ${c.source}`, `defined at: ${c.location}`, ...lines].join('\n');
}

function failsRun(c: CaseReport, strict: boolean): boolean {
  return c.verdict === 'inconclusive' && (c.level === 'must' || (strict && c.level === 'should'));
}

function testcase(c: CaseReport, runtime: string, strict: boolean): string {
  const open = `    <testcase classname="${escapeXml(`${runtime}.${c.area}`)}" name="${escapeXml(`${c.id}: ${c.title}`)}" time="${seconds(c.durationMs)}"`;
  const reason = escapeXml(c.reason ?? '');
  switch (c.verdict) {
    case 'pass':
      return `${open}/>`;
    case 'skipped':
      return `${open}>\n      <skipped message="${reason}"/>\n    </testcase>`;
    case 'fail':
      return `${open}>\n      <failure message="${reason}" type="MUST">${escapeXml(findingsText(c))}</failure>\n    </testcase>`;
    case 'inconclusive':
      // Could not be judged: a MUST (a SHOULD with --strict) fails the run, so it is a JUnit error; otherwise output.
      return failsRun(c, strict)
        ? `${open}>\n      <error message="${reason}" type="INCONCLUSIVE">${escapeXml(findingsText(c))}</error>\n    </testcase>`
        : `${open}>\n      <system-out>${escapeXml(`inconclusive: ${c.reason ?? ''}\n${findingsText(c)}`)}</system-out>\n    </testcase>`;
    case 'non-strict':
    case 'informational':
      // Not a failure of the run (unless --strict, which the exit code reflects): reported as output, not failure.
      return `${open}>\n      <system-out>${escapeXml(`${c.verdict}: ${c.reason ?? ''}\n${findingsText(c)}`)}</system-out>\n    </testcase>`;
  }
}

/** Why the run did not reach a case: an error (not a skip), so CI shows the run as incomplete. */
function notRunReason(report: RunReport): string {
  return report.stopped !== undefined ? `not run: the run stopped early (${report.stopped})` : 'not run: the run was interrupted';
}

function notRunTestcase(c: NotRunCase, report: RunReport): string {
  const reason = escapeXml(notRunReason(report));
  return `    <testcase classname="${escapeXml(`${report.runtime.name}.${c.area}`)}" name="${escapeXml(`${c.id}: ${c.title}`)}" time="0.000">\n      <error message="${reason}" type="not-run">${reason}</error>\n    </testcase>`;
}

export function renderJunit(report: RunReport): string {
  const areas = new Map<string, CaseReport[]>();
  for (const c of report.cases) {
    const list = areas.get(c.area) ?? [];
    list.push(c);
    areas.set(c.area, list);
  }
  const notRunByArea = new Map<string, NotRunCase[]>();
  for (const c of report.notRun ?? []) {
    notRunByArea.set(c.area, [...(notRunByArea.get(c.area) ?? []), c]);
    if (!areas.has(c.area)) areas.set(c.area, []);
  }
  const suites: string[] = [];
  for (const [area, cases] of areas) {
    const notRun = notRunByArea.get(area) ?? [];
    const failures = cases.filter((c) => c.verdict === 'fail' || (report.options.strict && c.verdict === 'non-strict')).length;
    const skipped = cases.filter((c) => c.verdict === 'skipped').length;
    const errors = cases.filter((c) => failsRun(c, report.options.strict)).length;
    const time = cases.reduce((t, c) => t + c.durationMs, 0);
    const body = cases
      .map((c) => {
        const tc = testcase(c, report.runtime.name, report.options.strict);
        return report.options.strict && c.verdict === 'non-strict'
          ? tc.replace(/<system-out>([\s\S]*)<\/system-out>/, `<failure message="${escapeXml(c.reason ?? '')}" type="SHOULD">$1</failure>`)
          : tc;
      })
      .concat(notRun.map((c) => notRunTestcase(c, report)))
      .join('\n');
    suites.push(
      `  <testsuite name="${escapeXml(`${report.runtime.name}: ${area}`)}" tests="${cases.length + notRun.length}" failures="${failures}" errors="${errors + notRun.length}" skipped="${skipped}" time="${seconds(time)}" timestamp="${escapeXml(report.startedAt)}">\n${body}\n  </testsuite>`,
    );
  }
  const s = report.summary;
  const failures = s.fail + (report.options.strict ? s['non-strict'] : 0);
  // Errors: cases that could not be judged and fail the run (inconclusive), and cases never reached.
  const errors = report.cases.filter((c) => failsRun(c, report.options.strict)).length + (report.notRun?.length ?? 0);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="lambdaspec ${escapeXml(report.runtime.name)}" tests="${s.total + (report.notRun?.length ?? 0)}" failures="${failures}" errors="${errors}" skipped="${s.skipped}" time="${seconds(report.durationMs)}">\n${suites.join('\n')}\n</testsuites>\n`;
}
