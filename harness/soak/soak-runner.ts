/**
 * A soak: a rotating mix of conformance cases (each in a fresh environment, through runCase) and direct
 * invocations on one long-lived environment (as `serve` keeps one), run until a deadline while the harness's own
 * RSS, open descriptors and live runtime processes are sampled. Any case or invocation whose outcome differs from
 * its first run is reported; the growth verdict is judged after warm-up.
 */
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
  return `${r.outcome.kind}${errorType}: ${payload.length > 300 ? `${payload.slice(0, 300)}…` : payload}`;
}

function pickCases(runtime: ResolvedRuntime): ScenarioCase[] {
  const { cases } = loadSuites([DEFAULT_SUITE_DIR]);
  return SOAK_CASES.flatMap((id) => cases.filter((c) => c.id === id && skipReason(c, runtime) === undefined));
}

export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  const cases = pickCases(o.runtime);
  // A dedicated streaming handler (Node's streamifyResponse) cannot serve the buffered kinds: leave streaming to the cases.
  const streams = o.runtime.spec.capabilities['streaming'] === true && o.runtime.spec.streamingHandler === undefined;
  const direct = DIRECT.filter((d) => !d.streaming || streams);
  const mix = [...cases.map((c) => `case:${c.id}`), ...direct.map((d) => `invoke:${d.kind}`)];
  // The clock starts once the suites are loaded: --duration is time spent soaking.
  const startedAt = new Date();
  const t0 = performance.now();
  const now = (): number => performance.now() - t0;
  const deadline = o.durationMs;

  const samples: SoakSample[] = [];
  const outcomes = new OutcomeTracker();
  const differences = outcomes.differences;
  let invocations = 0;
  let caseCount = 0;
  let rounds = 0;
  const sample = (): void => {
    const mem = process.memoryUsage();
    samples.push({
      atMs: Math.round(now()),
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      openFds: openFdCount() ?? null,
      liveRuntimeProcesses: liveProcessCount(),
      invocations,
      cases: caseCount,
    });
  };
  const observe = (what: string, signature: string, detail: string): void => outcomes.observe(what, signature, detail, rounds, now());

  const fdsBefore = openFdCount() ?? null;
  sample();
  const sampler = setInterval(sample, o.intervalMs);
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
  const stop = (): boolean => o.signal?.aborted === true || now() >= deadline;

  let fdsFirstRound: number | null = null;
  let fdsLastRound: number | null = null;
  let firstRoundEndMs = 0;
  try {
    while (!stop()) {
      rounds++;
      for (const c of cases) {
        if (stop()) break;
        const report = await runCase(c, o.runtime, { onEnvironment: (e) => (caseEnv = e) });
        caseEnv = undefined;
        if (o.signal?.aborted) break;
        caseCount++;
        observe(`case:${c.id}`, report.verdict, `${report.verdict}${report.reason ? ` (${report.reason})` : ''}`);
      }
      for (const d of direct.flatMap((x) => Array<DirectInvocation>(x.repeat ?? 1).fill(x))) {
        if (stop()) break;
        let signature: string;
        try {
          signature = invocationSignature(await longLived.invoke({ payload: Buffer.from(JSON.stringify(d.event)) }));
        } catch (e) {
          if (o.signal?.aborted) break;
          signature = `harness error: ${e instanceof Error ? e.message : String(e)}`;
        }
        invocations++;
        observe(`invoke:${d.kind}`, signature, signature);
      }
      if (o.signal?.aborted) break;
      // Quiescent point: no case running, the long-lived environment idle.
      const fds = openFdCount() ?? null;
      if (rounds === 1) {
        fdsFirstRound = fds;
        firstRoundEndMs = now();
      }
      fdsLastRound = fds;
      o.onProgress?.(`round ${rounds}: ${caseCount} cases, ${invocations} invocations, RSS ${(process.memoryUsage().rss / 1048576).toFixed(1)} MiB, ${fds ?? '?'} fds, ${differences.length} changed outcomes`);
    }
  } finally {
    clearInterval(sampler);
    o.signal?.removeEventListener('abort', onAbort);
    await caseEnv?.close();
    await longLived.close();
  }
  sample();

  // Killed processes need a moment to be reaped before they stop counting.
  for (let i = 0; i < 100 && (liveProcessCount() > 0 || ownRuntimeProcesses() > 0); i++) await new Promise((r) => setTimeout(r, 20));
  const processesLeft = Math.max(liveProcessCount(), ownRuntimeProcesses());
  const fdsAfter = openFdCount() ?? null;
  const elapsedMs = now();
  const warmupMs = Math.max(WARMUP_SHARE * elapsedMs, firstRoundEndMs);
  const judged = samples.filter((s) => s.atMs >= warmupMs);
  const slope = linearSlope(judged.map((s) => ({ x: s.atMs / 60_000, y: s.rssBytes / 1048576 })));
  const heapSlope = linearSlope(judged.map((s) => ({ x: s.atMs / 60_000, y: s.heapUsedBytes / 1048576 })));
  const fdGrowth = fdsFirstRound !== null && fdsLastRound !== null ? fdsLastRound - fdsFirstRound : null;

  const reasons: string[] = [];
  if (slope !== undefined && slope > o.bounds.maxRssSlopeMiBPerMin) {
    reasons.push(`harness RSS grew ${slope.toFixed(2)} MiB/min after warm-up (bound ${o.bounds.maxRssSlopeMiBPerMin})`);
  }
  if (fdGrowth !== null && fdGrowth > o.bounds.maxFdGrowth) reasons.push(`open fds grew by ${fdGrowth} between the first and the last round (bound ${o.bounds.maxFdGrowth})`);
  if (fdsBefore !== null && fdsAfter !== null && fdsAfter - fdsBefore > o.bounds.maxFdGrowth) {
    reasons.push(`${fdsAfter - fdsBefore} more open fds after the soak than before it (bound ${o.bounds.maxFdGrowth})`);
  }
  if (processesLeft > 0) reasons.push(`${processesLeft} runtime process(es) still running after the soak`);
  if (differences.length > 0) reasons.push(`${differences.length} outcome(s) differ from their first run`);

  return {
    runtime: o.runtime.spec.name,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    requestedDurationMs: o.durationMs,
    elapsedMs: Math.round(elapsedMs),
    intervalMs: o.intervalMs,
    interrupted: o.signal?.aborted === true,
    mix,
    rounds,
    cases: caseCount,
    invocations,
    bounds: o.bounds,
    growth: {
      warmupMs: Math.round(warmupMs),
      rssSlopeMiBPerMin: slope === undefined ? null : Math.round(slope * 1000) / 1000,
      heapSlopeMiBPerMin: heapSlope === undefined ? null : Math.round(heapSlope * 1000) / 1000,
      rssStartBytes: samples[0]!.rssBytes,
      rssEndBytes: samples[samples.length - 1]!.rssBytes,
      fdsBefore,
      fdsAfter,
      fdsFirstRound,
      fdsLastRound,
      fdGrowth,
      processesLeft,
    },
    samples,
    differences,
    verdict: reasons.length === 0 ? 'pass' : 'fail',
    reasons,
  };
}
