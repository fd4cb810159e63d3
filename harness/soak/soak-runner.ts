/**
 * A soak: a rotating mix of conformance cases (each in a fresh environment, through runCase) and direct
 * invocations on one long-lived environment (as `serve` keeps one), run until a deadline while the harness's own
 * RSS, open descriptors and live runtime processes are sampled. Any case or invocation whose outcome differs from
 * its first run is reported; the growth verdict is judged after warm-up.
 */
import { scrubPreview } from '../secrets/scrub.ts';
import { LocalEnvironment } from '../environment/local-environment.ts';
import type { InvocationResult } from '../model/invocation.ts';
import { functionConfigFor, type ResolvedRuntime } from '../runtime-definition/resolve-runtime.ts';
import { runCase, skipReason, type CaseEnvironment } from '../scenarios/case-runner.ts';
import { DEFAULT_SUITE_DIR, loadSuites } from '../scenarios/suite-loader.ts';
import type { ScenarioCase } from '../scenarios/suite-model.ts';
import { openFdCount, PROCESS_MARK_VAR, processesWithEnv } from '../process/proc-scan.ts';
import { harnessRunId, liveProcessCount } from '../process/process-runner.ts';
import { linearSlope, WARMUP_SHARE, type SoakBounds } from './growth.ts';
import { OutcomeTracker } from './outcome-tracker.ts';
import type { SoakReport, SoakSample } from './soak-report.ts';

/** The conformance cases in the rotation: echo, error, streaming (if the runtime streams), timeout, crash. */
export const SOAK_CASES = [
  'response.accepted-202',
  'error.handler-error-posted',
  'streaming.chunked-framing',
  'lifecycle.timeout-reset',
  'lifecycle.crash-exit-error',
] as const;

interface DirectInvocation {
  kind: string;
  event: unknown;
  streaming?: boolean;
  /** Times per round (default 1). */
  repeat?: number;
}

/**
 * Direct invocations per round on the long-lived environment: a burst of 16 KiB echoes (a per-invocation leak
 * shows up as RSS growth within minutes), then error, stream, and a crash that makes it re-initialise every round.
 */
const DIRECT: readonly DirectInvocation[] = [
  { kind: 'echo', event: { probe: 'echo', payload: { soak: 'x'.repeat(16 * 1024) } }, repeat: 40 },
  { kind: 'error', event: { probe: 'error', errorType: 'Soak.Error', errorMessage: 'soak' } },
  { kind: 'stream', event: { probe: 'stream', chunks: ['soak-a', 'soak-b'] }, streaming: true },
  { kind: 'echo-after-error', event: { probe: 'echo', payload: 'again' } },
  { kind: 'crash', event: { probe: 'exit', code: 3 } },
  { kind: 'echo-after-crash', event: { probe: 'echo', payload: 'back' } },
];

export interface SoakOptions {
  runtime: ResolvedRuntime;
  durationMs: number;
  intervalMs: number;
  /** Judge growth only after this long (at least: a quarter of the run, and the first round). */
  warmupMs?: number;
  bounds: SoakBounds;
  signal?: AbortSignal;
  /** One line per finished round. */
  onProgress?: (line: string) => void;
}

/** Running processes started by this harness process (group leaders and escapees alike). */
function ownRuntimeProcesses(): number {
  const prefix = `${harnessRunId()}:${process.pid}:`;
  return processesWithEnv(PROCESS_MARK_VAR, (v) => v.startsWith(prefix)).length;
}

/** What an invocation came to, stable across runs: request ids are replaced, since they change every time. */
export function invocationSignature(r: InvocationResult): string {
  const errorType = r.outcome.kind === 'platform-error' ? ` ${r.outcome.error.errorType}` : '';
  const payload = r.payload.toString('utf8').split(r.requestId).join('{requestId}');
  // Scrubbed before it is cut: the signature lands in the soak report.
  return `${r.outcome.kind}${errorType}: ${scrubPreview(payload, 300)}`;
}

function pickCases(runtime: ResolvedRuntime): ScenarioCase[] {
  const { cases } = loadSuites([DEFAULT_SUITE_DIR]);
  return SOAK_CASES.flatMap((id) => cases.filter((c) => c.id === id && skipReason(c, runtime) === undefined));
}

/** The soak's clock, counters and samples: what every step of the soak adds to. */
class SoakState {
  readonly startedAt = new Date();
  private readonly t0 = performance.now();
  readonly samples: SoakSample[] = [];
  readonly outcomes = new OutcomeTracker();
  invocations = 0;
  caseCount = 0;
  rounds = 0;
  /** Open descriptors at the quiescent point after the first and the latest round. */
  fdsFirstRound: number | null = null;
  fdsLastRound: number | null = null;
  firstRoundEndMs = 0;

  now(): number {
    return performance.now() - this.t0;
  }

  sample(): void {
    const mem = process.memoryUsage();
    this.samples.push({
      atMs: Math.round(this.now()),
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      openFds: openFdCount() ?? null,
      liveRuntimeProcesses: liveProcessCount(),
      invocations: this.invocations,
      cases: this.caseCount,
    });
  }

  observe(what: string, signature: string, detail: string): void {
    this.outcomes.observe(what, signature, detail, this.rounds, this.now());
  }

  /** Called with no case running and the long-lived environment idle. */
  roundDone(): number | null {
    const fds = openFdCount() ?? null;
    if (this.rounds === 1) {
      this.fdsFirstRound = fds;
      this.firstRoundEndMs = this.now();
    }
    this.fdsLastRound = fds;
    return fds;
  }
}

interface SoakMix {
  cases: ScenarioCase[];
  direct: DirectInvocation[];
}

function soakMix(runtime: ResolvedRuntime): SoakMix {
  // A dedicated streaming handler (Node's streamifyResponse) cannot serve the buffered kinds: leave streaming to the cases.
  const streams = runtime.spec.capabilities['streaming'] === true && runtime.spec.streamingHandler === undefined;
  return { cases: pickCases(runtime), direct: DIRECT.filter((d) => !d.streaming || streams) };
}

/** One round: every case in a fresh environment, then the direct invocations on the long-lived one. */
async function runRound(
  state: SoakState,
  mix: SoakMix,
  longLived: LocalEnvironment,
  o: SoakOptions,
  stop: () => boolean,
  onCaseEnvironment: (e: CaseEnvironment | undefined) => void,
): Promise<void> {
  for (const c of mix.cases) {
    if (stop()) return;
    const report = await runCase(c, o.runtime, { onEnvironment: onCaseEnvironment });
    onCaseEnvironment(undefined);
    if (o.signal?.aborted) return;
    state.caseCount++;
    state.observe(`case:${c.id}`, report.verdict, `${report.verdict}${report.reason ? ` (${report.reason})` : ''}`);
  }
  for (const d of mix.direct.flatMap((x) => Array<DirectInvocation>(x.repeat ?? 1).fill(x))) {
    if (stop()) return;
    let signature: string;
    try {
      signature = invocationSignature(await longLived.invoke({ payload: Buffer.from(JSON.stringify(d.event)) }));
    } catch (e) {
      if (o.signal?.aborted) return;
      signature = `harness error: ${e instanceof Error ? e.message : String(e)}`;
    }
    state.invocations++;
    state.observe(`invoke:${d.kind}`, signature, signature);
  }
}

/** Runtime processes still running once killed ones have had a moment to be reaped. */
async function processesLeftAfterReaping(): Promise<number> {
  for (let i = 0; i < 100 && (liveProcessCount() > 0 || ownRuntimeProcesses() > 0); i++) await new Promise((r) => setTimeout(r, 20));
  return Math.max(liveProcessCount(), ownRuntimeProcesses());
}

/** The growth figures after warm-up, and every bound they break. */
function judgeGrowth(
  state: SoakState,
  bounds: SoakBounds,
  fdsBefore: number | null,
  fdsAfter: number | null,
  processesLeft: number,
  minWarmupMs: number,
): { growth: SoakReport['growth']; reasons: string[] } {
  const elapsedMs = state.now();
  const warmupMs = Math.max(WARMUP_SHARE * elapsedMs, state.firstRoundEndMs, minWarmupMs);
  const judged = state.samples.filter((s) => s.atMs >= warmupMs);
  const slope = linearSlope(judged.map((s) => ({ x: s.atMs / 60_000, y: s.rssBytes / 1048576 })));
  const heapSlope = linearSlope(judged.map((s) => ({ x: s.atMs / 60_000, y: s.heapUsedBytes / 1048576 })));
  const { fdsFirstRound, fdsLastRound } = state;
  const fdGrowth = fdsFirstRound !== null && fdsLastRound !== null ? fdsLastRound - fdsFirstRound : null;
  const differences = state.outcomes.differences;

  const reasons: string[] = [];
  if (slope !== undefined && slope > bounds.maxRssSlopeMiBPerMin) {
    reasons.push(`harness RSS grew ${slope.toFixed(2)} MiB/min after warm-up (bound ${bounds.maxRssSlopeMiBPerMin})`);
  }
  if (fdGrowth !== null && fdGrowth > bounds.maxFdGrowth)
    reasons.push(`open fds grew by ${fdGrowth} between the first and the last round (bound ${bounds.maxFdGrowth})`);
  if (fdsBefore !== null && fdsAfter !== null && fdsAfter - fdsBefore > bounds.maxFdGrowth) {
    reasons.push(`${fdsAfter - fdsBefore} more open fds after the soak than before it (bound ${bounds.maxFdGrowth})`);
  }
  if (processesLeft > 0) reasons.push(`${processesLeft} runtime process(es) still running after the soak`);
  if (differences.length > 0) reasons.push(`${differences.length} outcome(s) differ from their first run`);

  const growth: SoakReport['growth'] = {
    warmupMs: Math.round(warmupMs),
    rssSlopeMiBPerMin: slope === undefined ? null : Math.round(slope * 1000) / 1000,
    heapSlopeMiBPerMin: heapSlope === undefined ? null : Math.round(heapSlope * 1000) / 1000,
    rssStartBytes: state.samples[0]!.rssBytes,
    rssEndBytes: state.samples[state.samples.length - 1]!.rssBytes,
    fdsBefore,
    fdsAfter,
    fdsFirstRound,
    fdsLastRound,
    fdGrowth,
    processesLeft,
  };
  return { growth, reasons };
}

export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  const mix = soakMix(o.runtime);
  // The clock starts once the suites are loaded: --duration is time spent soaking.
  const state = new SoakState();
  const stop = (): boolean => o.signal?.aborted === true || state.now() >= o.durationMs;

  const fdsBefore = openFdCount() ?? null;
  state.sample();
  const sampler = setInterval(() => state.sample(), o.intervalMs);
  // The long-lived environment keeps no wire recording, as `serve` does: it would grow with every invocation.
  const longLived = await LocalEnvironment.create(functionConfigFor(o.runtime, { timeoutMs: 3000 }), {
    hostPath: process.env['PATH'] ?? '',
    record: false,
  });
  let caseEnv: CaseEnvironment | undefined;
  const onAbort = (): void => {
    void caseEnv?.close();
    void longLived.close();
  };
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    while (!stop()) {
      state.rounds++;
      await runRound(state, mix, longLived, o, stop, (e) => (caseEnv = e));
      if (o.signal?.aborted) break;
      const fds = state.roundDone();
      const rssMiB = (process.memoryUsage().rss / 1048576).toFixed(1);
      o.onProgress?.(
        `round ${state.rounds}: ${state.caseCount} cases, ${state.invocations} invocations, RSS ${rssMiB} MiB, ${fds ?? '?'} fds, ${state.outcomes.differences.length} changed outcomes`,
      );
    }
  } finally {
    clearInterval(sampler);
    o.signal?.removeEventListener('abort', onAbort);
    await caseEnv?.close();
    await longLived.close();
  }
  state.sample();

  const processesLeft = await processesLeftAfterReaping();
  const { growth, reasons } = judgeGrowth(state, o.bounds, fdsBefore, openFdCount() ?? null, processesLeft, o.warmupMs ?? 0);
  return {
    runtime: o.runtime.spec.name,
    startedAt: state.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    requestedDurationMs: o.durationMs,
    elapsedMs: Math.round(state.now()),
    intervalMs: o.intervalMs,
    interrupted: o.signal?.aborted === true,
    mix: [...mix.cases.map((c) => `case:${c.id}`), ...mix.direct.map((d) => `invoke:${d.kind}`)],
    rounds: state.rounds,
    cases: state.caseCount,
    invocations: state.invocations,
    bounds: o.bounds,
    growth,
    samples: state.samples,
    differences: state.outcomes.differences,
    verdict: reasons.length === 0 ? 'pass' : 'fail',
    reasons,
  };
}
