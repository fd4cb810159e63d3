/**
 * Running one case: a fresh execution environment, its steps in order, then expectations over what was observed,
 * and a verdict with the wire exchanges and log lines behind it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalEnvironment, type LocalEnvironmentOptions } from '../environment/local-environment.ts';
import type { ExecutionEnvironment } from '../environment/execution-environment.ts';
import type { FunctionConfig, InvocationResult, LogLine, ProcessRecord } from '../model/invocation.ts';
import { verdictFor, type CaseEvidence, type CaseReport, type Finding } from '../model/report-model.ts';
import { scrub, scrubbedExchangeJson, scrubPreview } from '../secrets/scrub.ts';
import { logTail } from '../environment/platform-log.ts';
import type { Exchange, ExchangeKind } from '../model/recording.ts';
import { functionConfigFor, type ResolvedRuntime } from '../runtime-definition/resolve-runtime.ts';
import { payloadDigest, reportFieldsPresent } from '../snapshots/normalise.ts';
import { StopRunError } from '../lib/user-error.ts';
import { materialiseBootstrap } from './bootstrap-variants.ts';
import { evaluateStep, type StepObservation } from './expectations.ts';
import type { MatchFailure } from './match.ts';
import { maxOutstanding, unknownRoute, unknownRouteFindings, unmetPreconditions } from './preconditions.ts';
import type { ScenarioCase, Step } from './suite-model.ts';

/** What a case runs against: an execution environment with a clock, and the pid serving (when there is one to see). */
export type CaseEnvironment = ExecutionEnvironment & { clock(): number; readonly currentPid: number | undefined };

export interface CaseRunOptions {
  environment?: LocalEnvironmentOptions;
  /** Run against something other than a local environment (a deployed function); default: a LocalEnvironment. */
  createEnvironment?: (config: FunctionConfig, c: ScenarioCase) => Promise<CaseEnvironment>;
  /** Called with the environment once it exists, so an interrupted run can close it. */
  onEnvironment?: (env: CaseEnvironment) => void;
}

/** After the last step, wait this long so the runtime's follow-up requests (its next /next) are recorded too. */
const SETTLE_MS = 100;
const EVIDENCE_BODY_BYTES = 4096;
const EVIDENCE_LOG_LINES = 100;

/** Why a case is skipped on this runtime, if it is. */
export function skipReason(c: ScenarioCase, runtime: ResolvedRuntime): string | undefined {
  const missing = c.needs.filter((n) => runtime.spec.capabilities[n] !== true);
  if (missing.length > 0) return `unsupported: runtime.yaml does not declare capability ${missing.join(', ')}`;
  return undefined;
}

function caseLocation(c: ScenarioCase): string {
  return `${c.location.file}:${c.location.line}`;
}

export function skippedCase(c: ScenarioCase, reason: string): CaseReport {
  return {
    id: c.id,
    title: c.title,
    area: c.area,
    level: c.level,
    verdict: 'skipped',
    reason,
    requirement: c.requirement,
    source: c.source,
    ...(c.rationale ? { rationale: c.rationale } : {}),
    location: caseLocation(c),
    durationMs: 0,
    findings: [],
    evidence: { exchanges: [], logs: [], results: [] },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function latestProcess(env: CaseEnvironment): ProcessRecord | undefined {
  const all = env.processes();
  return all[all.length - 1];
}

async function waitForExit(env: CaseEnvironment, withinMs: number): Promise<ProcessRecord | undefined> {
  const deadline = Date.now() + withinMs;
  // Nothing started yet: start the runtime, since its exit is what the step waits for.
  if (env.processes().length === 0) void env.init().catch(() => undefined);
  for (;;) {
    const p = latestProcess(env);
    if (p && (p.exit || p.spawnFailure)) return p;
    if (Date.now() >= deadline) return p;
    await sleep(20);
  }
}

interface StepRun {
  result?: InvocationResult;
  startedAt: number;
  endedAt: number;
  processesBefore: number;
  pidBefore: number | undefined;
  /** The process that served the step (it may have exited since). */
  pidAfter: number | undefined;
  /** The process alive when the step ended. */
  alivePid: number | undefined;
  initDurationMs?: number;
  invokerChunks: Array<{ size: number; at: number }>;
  actionFindings: MatchFailure[];
}

async function runStep(env: CaseEnvironment, step: Step): Promise<StepRun> {
  const startedAt = env.clock();
  const processesBefore = env.processes().length;
  const pidBefore = env.currentPid;
  const actionFindings: MatchFailure[] = [];
  const invokerChunks: Array<{ size: number; at: number }> = [];
  let result: InvocationResult | undefined;
  let initDurationMs: number | undefined;
  switch (step.kind) {
    case 'invoke': {
      // With `stream`, record when each chunk reached the invoker: what a streaming client sees.
      const received = performance.now();
      const options = step.stream
        ? { onChunk: (b: Buffer) => invokerChunks.push({ size: b.length, at: performance.now() - received }) }
        : {};
      result = await env.invoke(
        {
          payload: step.payload,
          ...(step.clientContext !== undefined ? { clientContext: step.clientContext } : {}),
          ...(step.cognitoIdentity !== undefined ? { cognitoIdentity: step.cognitoIdentity } : {}),
          ...(step.tenantId !== undefined ? { tenantId: step.tenantId } : {}),
          ...(step.traceId !== undefined ? { traceId: step.traceId } : {}),
          ...(step.faults ? { faults: step.faults } : {}),
        },
        options,
      );
      break;
    }
    case 'waitForInit': {
      const rec = await Promise.race([env.init(), sleep(step.timeoutMs).then(() => undefined)]);
      if (!rec) actionFindings.push({ path: 'waitForInit', expected: `init within ${step.timeoutMs} ms`, actual: 'still initialising' });
      else if (rec.firstNextAt !== undefined) initDurationMs = rec.firstNextAt - rec.startedAt;
      break;
    }
    case 'expectExit': {
      const p = await waitForExit(env, step.withinMs);
      const exit = p?.exit;
      if (!exit) {
        actionFindings.push({
          path: 'expectExit',
          expected: `the runtime exits within ${step.withinMs} ms`,
          actual: p?.spawnFailure ? `it never started: ${p.spawnFailure.errorMessage}` : 'still running',
        });
      } else if (exit.killed) {
        actionFindings.push({
          path: 'expectExit',
          expected: `the runtime exits by itself within ${step.withinMs} ms`,
          actual: 'it kept running until the harness killed it',
        });
      } else if (step.code !== undefined && exit.code !== step.code) {
        actionFindings.push({
          path: 'expectExit.code',
          expected: String(step.code),
          actual: exit.signal ? `signal ${exit.signal}` : String(exit.code),
        });
      } else if (step.nonZero && exit.code === 0) {
        actionFindings.push({ path: 'expectExit.nonZero', expected: 'a non-zero exit status', actual: '0' });
      }
      break;
    }
    case 'sleep':
      await sleep(step.ms);
      break;
  }
  return {
    ...(result ? { result } : {}),
    startedAt,
    endedAt: env.clock(),
    processesBefore,
    pidBefore,
    pidAfter: result?.pid ?? env.currentPid,
    alivePid: env.currentPid,
    ...(initDurationMs !== undefined ? { initDurationMs } : {}),
    invokerChunks,
    actionFindings,
  };
}

/** The log lines an invoker asking for LogType Tail gets: the last 4 KB of the invocation's log. */
function tailLines(r: InvocationResult): LogLine[] {
  const text = Buffer.from(logTail(r.logs.map((l) => l.text)), 'base64').toString('utf8');
  return text
    .split('\n')
    .filter((t) => t.length > 0)
    .map((t) => ({ at: r.timings.done, stream: 'platform' as const, text: t }));
}

function boundedLogs(lines: readonly LogLine[]): LogLine[] {
  return lines.slice(-EVIDENCE_LOG_LINES).map((l) => ({ ...l, text: scrubPreview(l.text, 500) }));
}

function evidenceResult(index: number, r: InvocationResult | undefined): CaseEvidence['results'][number] {
  if (!r) return { step: index };
  let errorType: string | undefined;
  try {
    const doc = JSON.parse(r.payload.toString('utf8')) as unknown;
    if (doc && typeof doc === 'object' && typeof (doc as Record<string, unknown>)['errorType'] === 'string')
      errorType = (doc as Record<string, string>)['errorType'];
  } catch {
    // Not JSON: no errorType to show.
  }
  const text = r.payload.toString('utf8');
  return {
    step: index,
    requestId: r.requestId,
    outcome: r.outcome.kind,
    ...(r.functionError ? { functionError: r.functionError } : {}),
    ...(errorType ? { errorType } : {}),
    payloadPreview: scrubPreview(text, 300),
    payloadSize: r.payload.length,
    durationMs: Math.round(r.timings.done * 100) / 100,
    payloadDigest: payloadDigest(r.payload),
    reportFields: reportFieldsPresent(r.report),
    ...(r.outcome.kind === 'response' && r.outcome.streamed ? { chunks: r.outcome.chunks.length } : {}),
  };
}

/** The function a case runs: the runtime's configuration with the case's own settings (and broken bootstrap). */
function caseFunctionConfig(c: ScenarioCase, runtime: ResolvedRuntime, scratch: string | undefined): FunctionConfig {
  const spec = c.function;
  const bootstrap =
    spec.bootstrap && scratch ? materialiseBootstrap(spec.bootstrap, scratch, runtime.bootstrap, runtime.spec.architecture) : undefined;
  // A runtime that streams only from a dedicated handler (Node's streamifyResponse) gets it for streaming cases.
  const handler = spec.handler ?? (c.needs.includes('streaming') ? runtime.spec.streamingHandler : undefined);
  return functionConfigFor(runtime, {
    functionName: runtime.spec.name,
    ...(handler !== undefined ? { handler } : {}),
    ...(spec.memoryMb !== undefined ? { memorySizeMb: spec.memoryMb } : {}),
    ...(spec.timeoutMs !== undefined ? { timeoutMs: spec.timeoutMs } : {}),
    ...(spec.initTimeoutMs !== undefined ? { initTimeoutMs: spec.initTimeoutMs } : {}),
    ...(spec.environment ? { environment: spec.environment } : {}),
    ...(bootstrap ? { bootstrap } : {}),
  });
}

/**
 * Run the steps within the case's time limit. Returns the steps run and, when the case could not complete, why;
 * a StopRunError (the whole run must stop) passes through.
 */
async function runSteps(c: ScenarioCase, env: CaseEnvironment): Promise<{ runs: StepRun[]; problem?: string }> {
  const runs: StepRun[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), c.timeoutMs);
  });
  try {
    const steps = (async () => {
      for (const step of c.steps) runs.push(await runStep(env, step));
      await sleep(SETTLE_MS);
    })();
    const first = await Promise.race([steps.then(() => 'done' as const), timedOut]);
    if (first === 'timeout') {
      await env.close();
      await steps.catch(() => undefined);
      return { runs, problem: `the case did not finish within ${c.timeoutMs} ms (step ${runs.length + 1} was still running)` };
    }
    return { runs };
  } catch (e) {
    if (e instanceof StopRunError) throw e;
    return { runs, problem: `harness error: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    clearTimeout(timer);
  }
}

interface Judgement {
  findings: Finding[];
  evidence: Set<Exchange>;
}

/**
 * Judge every step on what it observed. Exchanges and lines are attributed to steps by when they started (step i
 * owns [start_i, start_{i+1})), except that an exchange naming an invocation belongs to that invocation's step,
 * whenever it started (the /next that hands out step 2's event may start before step 2 does).
 */
function judgeSteps(c: ScenarioCase, runs: readonly StepRun[], env: CaseEnvironment): Judgement & { stepOf: (x: Exchange) => number } {
  const recording = env.recording();
  const allLogs = env.logs();
  const processes = env.processes();
  const findings: Finding[] = [];
  const evidence = new Set<Exchange>();
  const stepOfRequest = new Map<string, number>();
  runs.forEach((run, i) => {
    if (run.result) stepOfRequest.set(run.result.requestId, i);
  });
  const stepOf = (x: Exchange): number => {
    const byId = x.requestId !== undefined ? stepOfRequest.get(x.requestId) : undefined;
    if (byId !== undefined) return byId;
    let i = 0;
    while (i + 1 < runs.length && x.request.timing.start >= runs[i + 1]!.startedAt) i++;
    return i;
  };
  runs.forEach((run, i) => {
    const step = c.steps[i]!;
    const until = runs[i + 1]?.startedAt ?? Number.POSITIVE_INFINITY;
    const exchanges = recording.exchanges.filter((x) => stepOf(x) === i);
    const exits = processes.flatMap((p) => (p.exit && p.exit.at >= run.startedAt && p.exit.at < until ? [p.exit] : []));
    const observation: StepObservation = {
      index: i + 1,
      step,
      ...(run.result ? { result: run.result } : {}),
      exchanges,
      logs: run.result
        ? step.kind === 'invoke' && step.logTail
          ? tailLines(run.result)
          : run.result.logs
        : allLogs.filter((l) => l.at >= run.startedAt && l.at < until),
      invokerChunks: run.invokerChunks,
      ...(run.pidBefore !== undefined ? { pidBefore: run.pidBefore } : {}),
      ...(run.pidAfter !== undefined ? { pidAfter: run.pidAfter } : {}),
      ...(run.alivePid !== undefined ? { alivePid: run.alivePid } : {}),
      startedProcess: processes.length > run.processesBefore,
      exits,
      ...(run.initDurationMs !== undefined ? { initDurationMs: run.initDurationMs } : {}),
      actionFindings: run.actionFindings,
    };
    const evaluation = evaluateStep(observation);
    // A wrong URL is a finding wherever it happens, first, so the reason names the cause rather than its symptoms.
    const stepFindings = [...unknownRouteFindings(exchanges).map((f) => ({ step: i + 1, ...f })), ...evaluation.findings];
    const unmet = unmetPreconditions(step, run.result, exchanges).map((f) => ({ step: i + 1, ...f, precondition: true as const }));
    // Findings quote payloads and lines: no credential-shaped string may ride along into the report.
    findings.push(...[...stepFindings, ...unmet].map((f) => ({ ...f, expected: scrub(f.expected), actual: scrub(f.actual) })));
    const shown = stepFindings.length > 0 || unmet.length > 0 || evaluation.matched.length === 0 ? exchanges : evaluation.matched;
    for (const x of shown.slice(0, 20)) evidence.add(x);
  });
  return { findings, evidence, stepOf };
}

/** `throughout:` expectations, judged over the whole case's recording. */
function judgeThroughout(c: ScenarioCase, env: CaseEnvironment, stepOf: (x: Exchange) => number): Judgement {
  const recording = env.recording();
  const findings: Finding[] = [];
  const evidence = new Set<Exchange>();
  for (const [kind, max] of Object.entries(c.throughout?.maxOutstanding ?? {}) as Array<[ExchangeKind, number]>) {
    const seen = maxOutstanding(recording.exchanges, recording.connections, kind);
    if (seen.max <= max) continue;
    const latest = seen.exchanges[seen.exchanges.length - 1]!;
    findings.push({
      step: stepOf(latest) + 1,
      path: `throughout.maxOutstanding.${kind}`,
      expected: `at most ${max} ${kind} request${max === 1 ? '' : 's'} outstanding at once over the case`,
      actual: `${seen.max} at ${seen.at.toFixed(0)} ms (connections ${seen.exchanges.map((x) => x.connection).join(', ')})`,
    });
    for (const x of seen.exchanges.slice(0, 20)) evidence.add(x);
  }
  return { findings, evidence };
}

/** The case's verdict and reason from its findings, with the evidence behind them. */
function caseReport(
  c: ScenarioCase,
  env: CaseEnvironment,
  runs: readonly StepRun[],
  judgement: Judgement,
  problem: string | undefined,
  durationMs: number,
): CaseReport {
  const { findings } = judgement;
  const recording = env.recording();
  const broken = findings.filter((f) => !f.precondition);
  const unmet = findings.filter((f) => f.precondition);
  const held = !problem && broken.length === 0;
  const first = broken[0] ?? unmet[0];
  const reason = problem
    ? scrub(problem)
    : first
      ? `${first.precondition ? 'precondition not met: ' : ''}step ${first.step}: ${first.path}: expected ${first.expected}, got ${first.actual}`
      : undefined;
  const unknownRoutes = [...new Set(recording.exchanges.flatMap((x) => unknownRoute(x) ?? []))].map(scrub);
  return {
    id: c.id,
    title: c.title,
    area: c.area,
    level: c.level,
    verdict: verdictFor(c.level, held, unmet.length === 0),
    ...(reason ? { reason } : {}),
    requirement: c.requirement,
    source: c.source,
    ...(c.rationale ? { rationale: c.rationale } : {}),
    location: caseLocation(c),
    durationMs: Math.round(durationMs * 100) / 100,
    findings,
    ...(unknownRoutes.length > 0 ? { unknownRoutes } : {}),
    evidence: {
      exchanges: [...judgement.evidence].sort((a, b) => a.seq - b.seq).map((x) => scrubbedExchangeJson(x, EVIDENCE_BODY_BYTES)),
      logs: boundedLogs(env.logs()),
      results: runs.map((r, i) => evidenceResult(i + 1, r.result)),
      processes: env.processes().map((p) => ({
        ...p,
        ...(p.spawnFailure ? { spawnFailure: { ...p.spawnFailure, errorMessage: scrub(p.spawnFailure.errorMessage) } } : {}),
      })),
    },
  };
}

/** Run a case whose capabilities are met; the verdict follows its level. */
export async function runCase(c: ScenarioCase, runtime: ResolvedRuntime, options: CaseRunOptions = {}): Promise<CaseReport> {
  const started = performance.now();
  const scratch = c.function.bootstrap ? mkdtempSync(join(tmpdir(), 'lambdaspec-bootstrap-')) : undefined;
  let outcome: { runs: StepRun[]; problem?: string };
  let env: CaseEnvironment | undefined;
  try {
    const config = caseFunctionConfig(c, runtime, scratch);
    env = options.createEnvironment
      ? await options.createEnvironment(config, c)
      : await LocalEnvironment.create(config, { hostPath: process.env['PATH'] ?? '', ...options.environment });
    options.onEnvironment?.(env);
    // An error that ends the whole run, not just this case (StopRunError), leaves here: the suite stops with the
    // cases done so far.
    outcome = await runSteps(c, env);
  } finally {
    await env?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
  const steps = judgeSteps(c, outcome.runs, env);
  const throughout = judgeThroughout(c, env, steps.stepOf);
  const judgement: Judgement = {
    findings: [...steps.findings, ...throughout.findings],
    evidence: new Set([...steps.evidence, ...throughout.evidence]),
  };
  return caseReport(c, env, outcome.runs, judgement, outcome.problem, performance.now() - started);
}
