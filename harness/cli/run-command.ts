/** `lambdaspec run [runtime…]`: the conformance suite against one or more runtimes, with reports and an exit code. */
import { EXIT } from '../lib/exit-codes.ts';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { preflightLocal, probePreflight } from '../probe/preflight.ts';
import { buildReport } from '../reports/build-report.ts';
import type { CaseReport, ColdStartMeasurement, NotRunCase, RunReport, Verdict } from '../model/report-model.ts';
import { writeReports, type WrittenReports } from '../reports/write-reports.ts';
import { prepareRuntimes } from '../runtime-definition/prepare-runtimes.ts';
import { functionConfigFor, type ResolvedRuntime } from '../runtime-definition/resolve-runtime.ts';
import { DEFAULT_SUITE_DIR, loadSuites } from '../scenarios/suite-loader.ts';
import { suiteIdentity } from '../scenarios/suite-digest.ts';
import { filterCases, runSuite, SuiteStoppedError } from '../scenarios/suite-runner.ts';
import { compareWithSnapshot, readSnapshot, renderComparison, snapshotFromReport } from '../snapshots/snapshot.ts';
import type { DeployedTarget } from '../remote/deployed/deployed-target.ts';
import { writeScrubbedFile } from '../secrets/scrubbed-write.ts';
import { checkOutputPath } from '../lib/output-path.ts';
import type { ScenarioCase } from '../scenarios/suite-model.ts';
import type { PreparedTarget, Target } from '../targets/common/target.ts';
import { availableTarget } from '../targets/registry.ts';
import { UserError } from '../lib/user-error.ts';
import { parseFlags, parsePositiveInt } from './args.ts';
import { TARGET_USAGE, targetFromFlags, withoutForeignArchitectures } from './target-flags.ts';
import type { Io } from './io.ts';
import { defaultReportPath } from '../lib/report-dir.ts';
import {
  DEPLOYED_FLAGS,
  DEPLOYED_USAGE,
  deployedOnlyFlags,
  deployedSuiteHooks,
  planDeployedRun,
  registerDeployedCredentials,
  type DeployedSuiteHooks,
} from './deployed-run.ts';

export const RUN_USAGE = `lambdaspec run [runtime…] [options]

Runs the conformance suite against each runtime (default: every bundled runtime) and writes report.json, report.html,
report.md and junit.xml to reports/<runtime>/.

  --suite <dir|file>     suite to run (repeatable; default suites/conformance)
  --filter <id-glob>     only cases whose id matches, e.g. 'error.*' (repeatable)
  --strict               a broken SHOULD fails the run too
  --report-dir <dir>     where reports go (one runtime: this folder; several: <dir>/<runtime>/)
  --junit <file>         also write the JUnit XML here (one runtime only)
  --jobs <n>             cases run in parallel (default: number of CPUs; deployed: 1)
  --against <snapshot>   compare each case's outcome with a snapshot ('lambdaspec snapshot'); differences exit 1
${TARGET_USAGE}, deployed (below)
  --image <name>         run this local container image instead of a runtime, with its ENTRYPOINT and CMD as Lambda
                         runs a container-image function (implies --target container; _HANDLER is its CMD)
  --capability <name>    with --image: a capability the image's runtime has (repeatable; default: handler only,
                         so streaming cases are skipped unless --capability streaming)

${DEPLOYED_USAGE}
Exit status: 0 when no MUST failed (--strict: no SHOULD either), 1 otherwise, 2 on bad input or when the deployed
function cannot be reached (the cases done so far are still reported), 130 interrupted.`;

/** Flags of \`run\`, shared with \`snapshot\`. */
export const RUN_FLAGS = {
  suite: { type: 'string', multiple: true },
  filter: { type: 'string', multiple: true },
  strict: { type: 'boolean' },
  'report-dir': { type: 'string' },
  junit: { type: 'string' },
  jobs: { type: 'string' },
  against: { type: 'string' },
  target: { type: 'string' },
  ...DEPLOYED_FLAGS,
  emulate: { type: 'boolean' },
  image: { type: 'string' },
  capability: { type: 'string', multiple: true },
} as const;

const MARK: Record<Verdict, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  'non-strict': 'WARN',
  informational: 'INFO',
  inconclusive: 'UNSURE',
  skipped: 'SKIP',
};

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
  /** Where bootstraps run (default: the process target); ignored when `deployed` is set. */
  target?: Target;
  emulate?: boolean;
  /** Run against a deployed function instead: its skip rule and environments. */
  deployed?: DeployedSuiteHooks;

  coldStarts?: ColdStartMeasurement;
}

export function loadSelectedCases(suites: string[], filter: string[] | undefined): ScenarioCase[] {
  const { cases } = loadSuites(suites);
  const selected = filterCases(cases, filter);
  if (selected.length === 0) throw new UserError(`--filter ${filter?.join(', ')} matches no case in ${suites.join(', ')}`);
  return selected;
}

/**
 * Run the cases against each runtime in turn; reports are written even when interrupted. Every runtime is prepared
 * and passes the probe preflight before any suite starts, so one without the probe stops the run in seconds.
 */
export async function runOnRuntimes(runtimes: ResolvedRuntime[], cases: ScenarioCase[], o: RunSuiteOptions): Promise<RunOutcome[]> {
  const target = o.deployed ? undefined : (o.target ?? (await availableTarget('process')));
  const prepared = new Map<ResolvedRuntime, PreparedTarget>();
  try {
    for (const rt of runtimes) {
      if (o.signal.aborted) break;
      const p = target ? await target.prepare(rt, { emulate: o.emulate === true }) : undefined;
      if (p) prepared.set(rt, p);
      if (target && p?.note) o.io.err(`${rt.spec.name} on ${target.name}: ${p.note}\n`);
      await preflight(rt, p, o);
    }
    const coldStarts = o.deployed?.measureColdStarts && !o.signal.aborted ? await o.deployed.measureColdStarts() : undefined;
    return await runSuites(runtimes, cases, coldStarts ? { ...o, coldStarts } : o, target, prepared);
  } finally {
    for (const p of prepared.values()) await p.close();
  }
}

/** Stop the run (exit 2, with a report that says why) when the runtime answers, but not as the probe does. */
async function preflight(rt: ResolvedRuntime, prepared: PreparedTarget | undefined, o: RunSuiteOptions): Promise<void> {
  const deployed = o.deployed;
  const result = deployed
    ? await probePreflight(rt.spec.name, () => Promise.resolve(deployed.preflightEnvironment(functionConfigFor(rt))), o.signal)
    : await preflightLocal(rt, prepared?.environment, o.signal);
  if (result.kind !== 'not-probe') return;
  const at = new Date();
  const report = buildReport({
    runtime: rt,
    cases: [],
    startedAt: at,
    finishedAt: at,
    strict: o.strict,
    ...(o.filter ? { filter: o.filter } : {}),
    suites: o.suites,
    jobs: o.jobs,
    interrupted: true,
    target: o.target?.name ?? (o.deployed ? 'deployed' : 'process'),
    stopped: result.message,
  });
  writeReports(report, o.reportDir(rt), o.junit);
  throw new UserError(result.message);
}

async function runSuites(
  runtimes: ResolvedRuntime[],
  cases: ScenarioCase[],
  o: RunSuiteOptions,
  target: Target | undefined,
  preparedTargets: ReadonlyMap<ResolvedRuntime, PreparedTarget>,
): Promise<RunOutcome[]> {
  const outcomes: RunOutcome[] = [];
  const suite = suiteIdentity(cases);
  for (const rt of runtimes) {
    if (o.signal.aborted) break;
    const startedAt = new Date();
    const counts: Record<Verdict, number> = { pass: 0, fail: 0, 'non-strict': 0, informational: 0, inconclusive: 0, skipped: 0 };
    const onCase = (r: CaseReport, done: number, total: number): void => {
      counts[r.verdict]++;
      if (o.io.isTTY) {
        const tally = `${counts.pass} pass ${counts.fail} fail ${counts['non-strict']} non-strict ${counts.informational} info ${counts.inconclusive} inconclusive ${counts.skipped} skipped`;
        o.io.err(`\r\x1b[K[${rt.spec.name} ${done}/${total}] ${MARK[r.verdict]} ${r.id} — ${tally}`);
        if (r.verdict === 'fail' || r.verdict === 'non-strict' || r.verdict === 'inconclusive')
          o.io.err(`\n  ${MARK[r.verdict]} ${r.id}: ${r.reason ?? ''}\n`);
      } else {
        o.io.err(
          `${MARK[r.verdict]} ${rt.spec.name} ${r.id} (${Math.round(r.durationMs)} ms)${r.verdict !== 'pass' && r.reason ? ` — ${r.reason}` : ''}\n`,
        );
      }
    };
    const prepared = preparedTargets.get(rt);
    let cases_: CaseReport[];
    let stopped: SuiteStoppedError | undefined;
    try {
      cases_ = await runSuite(cases, rt, {
        jobs: o.jobs,
        onCase,
        signal: o.signal,
        ...(prepared ? { environment: prepared.environment } : {}),
        ...(o.deployed ? { skip: o.deployed.skip, caseOptions: o.deployed.caseOptions } : {}),
      });
    } catch (e) {
      if (!(e instanceof SuiteStoppedError)) throw e;
      stopped = e;
      cases_ = e.cases;
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
      suite,
      jobs: o.jobs,
      interrupted: o.signal.aborted || stopped !== undefined,
      target: target?.name ?? 'deployed',
      ...(stopped ? { stopped: stopped.message } : {}),
      ...(o.coldStarts ? { coldStarts: o.coldStarts } : {}),
      notRun: notReached(cases, cases_),
    });
    const written = writeReports(report, o.reportDir(rt), o.junit);
    if (stopped) {
      // Nothing gathered is lost: the report holds the cases done, then the run ends with the reason (exit 2).
      const cause = stopped.cause instanceof UserError ? stopped.cause.message : stopped.message;
      throw new UserError(cases_.length > 0 ? `${cause}\n(the ${cases_.length} cases done before that are in ${written.markdown})` : cause);
    }
    outcomes.push({ runtime: rt, report, written });
    const s = report.summary;
    o.io.out(
      `${rt.spec.name}: ${s.pass} pass, ${s.fail} fail, ${s['non-strict']} non-strict, ${s.informational} informational, ${s.inconclusive} inconclusive, ${s.skipped} skipped of ${s.total}${report.interrupted ? ' (interrupted)' : ''} → ${written.markdown}\n`,
    );
    for (const r of report.unknownRoutes ?? [])
      o.io.err(`warning: ${rt.spec.name} called a path the Runtime API does not serve: ${r.request} (in ${r.cases.length} cases)\n`);
  }
  return outcomes;
}

/** The selected cases without a report: the ones an interrupted or stopped run never reached. */
function notReached(selected: readonly ScenarioCase[], done: readonly CaseReport[]): NotRunCase[] {
  const ids = new Set(done.map((c) => c.id));
  return selected.filter((c) => !ids.has(c.id)).map((c) => ({ id: c.id, title: c.title, area: c.area }));
}

type RunValues = ReturnType<typeof parseRunFlags>['values'];

export function parseRunFlags(command: string, argv: string[]) {
  return parseFlags(command, argv, RUN_FLAGS);
}

/** Everything a run needs besides its flags' plain values: which runtimes, and the target's hooks. */
interface RunPlan {
  runtimes: ResolvedRuntime[];
  /** The local target, or undefined for a deployed function. */
  target?: Target;
  deployed?: DeployedTarget;
  /** Release what planning made (an --image's metadata). */
  dispose?: () => void;
}

async function planRun(values: RunValues, positionals: string[], io: Io): Promise<RunPlan> {
  const deployedOnly = deployedOnlyFlags(values);
  if (values.capability && !values.image)
    throw new UserError('--capability goes with --image (a runtime declares its capabilities in runtime.yaml)');
  if (values.image !== undefined) {
    if (positionals.length > 0) throw new UserError('--image runs the image instead of a runtime: give no runtime with it');
    if (values.target !== undefined && values.target !== 'container')
      throw new UserError(`--image runs on --target container, not ${values.target}`);
    if (deployedOnly.length > 0) throw new UserError(`--${deployedOnly[0]} is for --target deployed`);
    // Loaded here: testcontainers is heavy and only --image and --target container need it.
    const { imageRuntime, imageTarget } = await import('../targets/container/container-target.ts');
    const target = imageTarget(values.image);
    const why = await target.unavailable();
    if (why) throw new UserError(`--image: ${why}`);
    const image = await imageRuntime(values.image, {
      capabilities: { handler: true, ...Object.fromEntries((values.capability ?? []).map((c) => [c, true])) },
    });
    return { runtimes: [image.runtime], target, dispose: () => image.dispose() };
  }
  if (values.target !== 'deployed') {
    if (deployedOnly.length > 0) throw new UserError(`--${deployedOnly[0]} is for --target deployed`);
    const target = await targetFromFlags(values);
    const prepared = await prepareRuntimes(positionals, (l) => io.err(`${l}\n`));
    // A runtime named explicitly runs as asked (a foreign one then shows the exec format error in every case).
    const runtimes =
      positionals.length > 0
        ? prepared.ready
        : withoutForeignArchitectures(prepared, values.emulate === true, (l) => io.err(`${l}\n`)).runtimes;
    if (runtimes.length === 0) throw new UserError('no runtime can run here (see the skipped ones above)');
    return { runtimes, target };
  }
  const remote = await planDeployedRun(values, positionals);
  return { runtimes: [remote.runtime], deployed: remote.deployed };
}

/** Run the suite as \`run\` and \`snapshot\` do; reports are written even when interrupted or stopped. */
export async function executeRun(values: RunValues, positionals: string[], io: Io, signal: AbortSignal): Promise<RunOutcome[]> {
  // Before any runtime is built or case run: a path that cannot be written should fail now, not after the run.
  checkOutputPath('report-dir', values['report-dir'], 'folder');
  checkOutputPath('junit', values.junit, 'file');
  const plan = await planRun(values, positionals, io);
  if (plan.deployed) await registerDeployedCredentials(plan.deployed);
  const { runtimes } = plan;
  if (values.junit && runtimes.length > 1)
    throw new UserError('--junit takes one runtime; with several, each report folder gets its own junit.xml');
  const suites = values.suite ?? [DEFAULT_SUITE_DIR];
  const cases = loadSelectedCases(suites, values.filter);
  // A deployed function is one function with its own concurrency: one case at a time unless asked.
  const jobs = parsePositiveInt('jobs', values.jobs) ?? (plan.deployed ? 1 : Math.max(1, os.cpus().length));
  const base = values['report-dir'] ? resolve(values['report-dir']) : defaultReportPath();
  const reportDir = (rt: ResolvedRuntime): string => (values['report-dir'] && runtimes.length === 1 ? base : join(base, rt.spec.name));
  try {
    return await runOnRuntimes(runtimes, cases, {
      suites,
      ...(values.filter ? { filter: values.filter } : {}),
      strict: values.strict === true,
      jobs,
      reportDir,
      ...(values.junit ? { junit: resolve(values.junit) } : {}),
      signal,
      io,
      ...(plan.target ? { target: plan.target, emulate: values.emulate === true } : {}),
      ...(plan.deployed ? { deployed: deployedSuiteHooks(plan.deployed, parsePositiveInt('cold', values.cold), io) } : {}),
    });
  } finally {
    plan.deployed?.close();
    plan.dispose?.();
  }
}

export async function runCommand(argv: string[], io: Io, signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseRunFlags('run', argv);
  const snapshot = values.against !== undefined ? readSnapshot(resolve(values.against)) : undefined;
  const outcomes = await executeRun(values, positionals, io, signal);
  if (signal.aborted) return EXIT.INTERRUPTED;
  let differs = false;
  if (snapshot && values.against !== undefined) {
    for (const o of outcomes) {
      const comparison = compareWithSnapshot(snapshot, values.against, snapshotFromReport(o.report, o.runtime.spec.name));
      const dir = dirname(o.written.json);
      writeScrubbedFile(join(dir, 'parity.json'), `${JSON.stringify(comparison, null, 2)}\n`);
      const md = renderComparison(comparison);
      writeScrubbedFile(join(dir, 'parity.md'), md);
      io.out(md);
      if (comparison.differences.length > 0) differs = true;
    }
  }
  return outcomes.some((o) => o.report.exitCode === EXIT.FAILED) || differs ? EXIT.FAILED : EXIT.OK;
}
