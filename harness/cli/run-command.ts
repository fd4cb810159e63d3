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
import { containerTarget, imageRuntime, imageTarget } from '../targets/container/container-target.ts';
import type { Target } from '../targets/target.ts';
import { UserError } from '../util/user-error.ts';
import { parseFlags, parsePositiveInt } from './args.ts';
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
  --target <t>           where runtimes run: process (default) or container (local Docker engine; images from
                         'lambdaspec image', built when missing)
  --image <name>         run this local container image instead of a runtime, with its ENTRYPOINT and CMD as Lambda
                         runs a container-image function (implies --target container; _HANDLER is its CMD)
  --capability <name>    with --image: a capability the image's runtime has (repeatable; default: handler only,
                         so streaming cases are skipped unless --capability streaming)

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
  /** Where the runtimes run (default: plain local processes). */
  target?: Target;
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
    const prepared = await o.target?.prepare(rt, {});
    let cases_: CaseReport[];
    try {
      cases_ = await runSuite(cases, rt, { jobs: o.jobs, onCase, signal: o.signal, ...(prepared ? { environment: prepared.environment } : {}) });
    } finally {
      await prepared?.close();
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
    target: { type: 'string' },
    image: { type: 'string' },
    capability: { type: 'string', multiple: true },
    help: { type: 'boolean' },
  });
  if (values.help) {
    io.out(`${RUN_USAGE}\n`);
    return 0;
  }
  const target = await selectTarget(values.target, values.image);
  if (values.image && positionals.length > 0) throw new UserError('--image runs the image instead of a runtime: give no runtime with it');
  if (values.capability && !values.image) throw new UserError('--capability goes with --image (a runtime declares its capabilities in runtime.yaml)');
  const image = values.image
    ? await imageRuntime(values.image, { capabilities: { handler: true, ...Object.fromEntries((values.capability ?? []).map((c) => [c, true])) } })
    : undefined;
  const runtimes = image ? [image.runtime] : (await prepareRuntimes(positionals, (l) => io.err(`${l}\n`))).ready;
  try {
    return await runSelected(runtimes, values, target, io, signal);
  } finally {
    image?.dispose();
  }
}

/** --target / --image as a Target (undefined: plain processes); exit 2 when it cannot run here. */
async function selectTarget(name: string | undefined, image: string | undefined): Promise<Target | undefined> {
  if (image && name !== undefined && name !== 'container') throw new UserError(`--image runs on --target container, not ${name}`);
  let target: Target | undefined;
  if (image) target = imageTarget(image);
  else if (name === 'container') target = containerTarget;
  else if (name !== undefined && name !== 'process') throw new UserError(`--target: "${name}" is not a target (process, container)`);
  const why = await target?.unavailable();
  if (why) throw new UserError(`--target container: ${why}`);
  return target;
}

async function runSelected(
  runtimes: ResolvedRuntime[],
  values: { suite?: string[]; filter?: string[]; strict?: boolean; 'report-dir'?: string; junit?: string; jobs?: string },
  target: Target | undefined,
  io: Io,
  signal: AbortSignal,
): Promise<number> {
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
    ...(target ? { target } : {}),
  });
  if (signal.aborted) return 130;
  return outcomes.some((o) => o.report.exitCode === 1) ? 1 : 0;
}
