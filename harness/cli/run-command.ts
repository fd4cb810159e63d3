/** `lambdaspec run [runtime…]`: the conformance suite against one or more runtimes, with reports and an exit code. */
import os from 'node:os';
import { join, resolve } from 'node:path';
import { buildReport } from '../reports/build-report.ts';
import type { CaseReport, RunReport, Verdict } from '../reports/report-model.ts';
import { writeReports, type WrittenReports } from '../reports/write-reports.ts';
import { prepareRuntimes } from '../runtime/prepare-runtimes.ts';
import { REPO_ROOT, type ResolvedRuntime } from '../runtime/resolve-runtime.ts';
import { DEFAULT_SUITE_DIR, loadSuites } from '../scenarios/suite-loader.ts';
import { filterCases, runSuite } from '../scenarios/suite-runner.ts';
import type { ScenarioCase } from '../scenarios/suite-model.ts';
import { availableTarget, type Target } from '../targets/target.ts';
import { UserError } from '../util/user-error.ts';
import { parseFlags, parsePositiveInt } from './args.ts';
import { TARGET_FLAGS, TARGET_USAGE, targetFromFlags, withoutForeignArchitectures } from './target-flags.ts';
import type { Io } from './io.ts';

export const RUN_USAGE = `lambdaspec run [runtime…] [options]

Runs the conformance suite against each runtime (default: every bundled runtime) and writes report.json,
report.md and junit.xml to reports/<runtime>/.

  --suite <dir|file>     suite to run (repeatable; default suites/conformance)
  --filter <id-glob>     only cases whose id matches, e.g. 'error.*' (repeatable)
  --strict               a broken SHOULD fails the run too
  --report-dir <dir>     where reports go (one runtime: this folder; several: <dir>/<runtime>/)
  --junit <file>         also write the JUnit XML here (one runtime only)
  --jobs <n>             cases run in parallel (default: number of CPUs)
${TARGET_USAGE}

Exit status: 0 when no MUST failed (--strict: no SHOULD either), 1 otherwise, 2 on bad input, 130 interrupted.`;

const MARK: Record<Verdict, string> = { pass: 'PASS', fail: 'FAIL', 'non-strict': 'WARN', informational: 'INFO', skipped: 'SKIP' };

export interface RunOutcome {
  runtime: ResolvedRuntime;
  report: RunReport;
  written: WrittenReports;
}

export interface RunSuiteOptions {
  suites: string[];
  filter?: string[];
  strict: boolean;
  jobs: number;
  reportDir: (rt: ResolvedRuntime) => string;
  junit?: string;
  signal: AbortSignal;
  io: Io;
  /** Where bootstraps run (default: the process target). */
  target?: Target;
  emulate?: boolean;
}


export function loadSelectedCases(suites: string[], filter: string[] | undefined): ScenarioCase[] {
  const { cases } = loadSuites(suites);
  const selected = filterCases(cases, filter);
  if (selected.length === 0) throw new UserError(`--filter ${filter?.join(', ')} matches no case in ${suites.join(', ')}`);
  return selected;
}

/** Run the cases against each runtime in turn; reports are written even when interrupted. */
export async function runOnRuntimes(runtimes: ResolvedRuntime[], cases: ScenarioCase[], o: RunSuiteOptions): Promise<RunOutcome[]> {
  const outcomes: RunOutcome[] = [];
  for (const rt of runtimes) {
    if (o.signal.aborted) break;
    const startedAt = new Date();
    const counts: Record<Verdict, number> = { pass: 0, fail: 0, 'non-strict': 0, informational: 0, skipped: 0 };
    const onCase = (r: CaseReport, done: number, total: number): void => {
      counts[r.verdict]++;
      if (o.io.isTTY) {
        const tally = `${counts.pass} pass ${counts.fail} fail ${counts['non-strict']} non-strict ${counts.informational} info ${counts.skipped} skipped`;
        o.io.err(`\r\x1b[K[${rt.spec.name} ${done}/${total}] ${MARK[r.verdict]} ${r.id} — ${tally}`);
        if (r.verdict === 'fail' || r.verdict === 'non-strict') o.io.err(`\n  ${MARK[r.verdict]} ${r.id}: ${r.reason ?? ''}\n`);
      } else {
        o.io.err(`${MARK[r.verdict]} ${rt.spec.name} ${r.id} (${Math.round(r.durationMs)} ms)${r.verdict !== 'pass' && r.reason ? ` — ${r.reason}` : ''}\n`);
      }
    };
    const target = o.target ?? (await availableTarget('process'));
    const prepared = await target.prepare(rt, { emulate: o.emulate === true });
    if (prepared.note) o.io.err(`${rt.spec.name} on ${target.name}: ${prepared.note}\n`);
    let cases_: CaseReport[];
    try {
      cases_ = await runSuite(cases, rt, { jobs: o.jobs, onCase, signal: o.signal, environment: prepared.environment });
    } finally {
      await prepared.close();
    }
    if (o.io.isTTY) o.io.err('\r\x1b[K');
    const report = buildReport({
      runtime: rt,
      cases: cases_,
      startedAt,
      finishedAt: new Date(),
      strict: o.strict,
      ...(o.filter ? { filter: o.filter } : {}),
      suites: o.suites,
      jobs: o.jobs,
      interrupted: o.signal.aborted,
      target: target.name,
    });
    const written = writeReports(report, o.reportDir(rt), o.junit);
    outcomes.push({ runtime: rt, report, written });
    const s = report.summary;
    o.io.out(
      `${rt.spec.name}: ${s.pass} pass, ${s.fail} fail, ${s['non-strict']} non-strict, ${s.informational} informational, ${s.skipped} skipped of ${s.total}${report.interrupted ? ' (interrupted)' : ''} → ${written.markdown}\n`,
    );
  }
  return outcomes;
}

export async function runCommand(argv: string[], io: Io, signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseFlags('run', argv, {
    suite: { type: 'string', multiple: true },
    filter: { type: 'string', multiple: true },
    strict: { type: 'boolean' },
    'report-dir': { type: 'string' },
    junit: { type: 'string' },
    jobs: { type: 'string' },
    ...TARGET_FLAGS,
    help: { type: 'boolean' },
  });
  if (values.help) {
    io.out(`${RUN_USAGE}\n`);
    return 0;
  }
  const target = await targetFromFlags(values);
  const prepared = await prepareRuntimes(positionals, (l) => io.err(`${l}\n`));
  // A runtime named explicitly runs as asked (a foreign one then shows the exec format error in every case).
  const runtimes = positionals.length > 0 ? prepared.ready : withoutForeignArchitectures(prepared, values.emulate === true, (l) => io.err(`${l}\n`)).runtimes;
  if (runtimes.length === 0) throw new UserError('no runtime can run here (see the skipped ones above)');
  if (values.junit && runtimes.length > 1) throw new UserError('--junit takes one runtime; with several, each report folder gets its own junit.xml');
  const suites = values.suite ?? [DEFAULT_SUITE_DIR];
  const cases = loadSelectedCases(suites, values.filter);
  const jobs = parsePositiveInt('jobs', values.jobs) ?? Math.max(1, os.cpus().length);
  const base = values['report-dir'] ? resolve(values['report-dir']) : join(REPO_ROOT, 'reports');
  const reportDir = (rt: ResolvedRuntime): string => (values['report-dir'] && runtimes.length === 1 ? base : join(base, rt.spec.name));
  const outcomes = await runOnRuntimes(runtimes, cases, {
    suites,
    ...(values.filter ? { filter: values.filter } : {}),
    strict: values.strict === true,
    jobs,
    reportDir,
    ...(values.junit ? { junit: resolve(values.junit) } : {}),
    signal,
    io,
    target,
    emulate: values.emulate === true,
  });
  if (signal.aborted) return 130;
  return outcomes.some((o) => o.report.exitCode === 1) ? 1 : 0;
}
