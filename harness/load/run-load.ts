/**
 * One load run end to end: a runtime served by N execution environments behind the Invoke front (or a `--url`
 * endpoint), driven by the built-in generator or by k6, folded into a `LoadReport`.
 */
import { LocalEnvironment } from '../environment/local-environment.ts';
import type { FunctionConfig } from '../model/invocation.ts';
import { InvokeFront } from '../invoke/front.ts';
import { UserError } from '../lib/user-error.ts';
import { EnvironmentPool, type PoolStats } from './environment-pool.ts';
import { createSender } from './http-sender.ts';
import { generateK6Script } from './k6-script.ts';
import { foldK6Summaries, type K6Fold } from './k6-fold.ts';
import { LATENCY_BUCKET_RELATIVE_ERROR } from './k6-latency-buckets.ts';
import { findK6, k6Version, runK6Segments } from './k6-runner.ts';
import { summarise } from './latency-histogram.ts';
import { generateLoad } from './load-generator.ts';
import type { ColdStarts, LoadEngine, LoadOptions, LoadReport } from './load-model.ts';

/** Where the load goes: a local runtime (its function configuration) or an HTTP endpoint. */
export type LoadTarget = { kind: 'runtime'; runtime: string; config: FunctionConfig } | { kind: 'url'; url: string };

export interface LoadRunInput {
  target: LoadTarget;
  options: LoadOptions;
  engine: LoadEngine;
  /** k6 engine: run the test as this many k6 instances, each with its execution segment (default 1). */
  segments?: number;
  /** k6 engine: send X-Lambdaspec-Iteration with every request (k6-script.ts). */
  iterationHeader?: boolean;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** k6 gets the run's duration plus this long to start, drain and write its summary before it is killed. */
const K6_GRACE_MS = 30_000;

interface Served {
  url: string;
  pool?: EnvironmentPool;
  close(): Promise<void>;
}

async function serve(target: LoadTarget, concurrency: number): Promise<Served> {
  if (target.kind === 'url') return { url: target.url, close: async () => undefined };
  const config = target.config;
  const pool = new EnvironmentPool(config, concurrency, (c) =>
    LocalEnvironment.create(c, { record: false, hostPath: process.env['PATH'] ?? '' }),
  );
  const front = new InvokeFront({ resolve: (name) => (name === config.functionName ? pool : undefined) });
  let base: string;
  try {
    ({ url: base } = await front.start());
  } catch (e) {
    await pool.close();
    throw e;
  }
  return {
    url: `${base}/2015-03-31/functions/${encodeURIComponent(config.functionName)}/invocations`,
    pool,
    close: async () => {
      await front.close();
      await pool.close();
    },
  };
}

function coldStartsOf(stats: PoolStats | undefined, fromLogTail: number | null): ColdStarts {
  return {
    fromLogTail,
    fromEnvironments: stats ? stats.coldStarts : null,
    environmentsCreated: stats ? stats.environmentsCreated : null,
    processesStarted: stats ? stats.processesStarted : null,
  };
}

type LoadReportBase = Pick<LoadReport, 'format' | 'engine' | 'runtime' | 'target' | 'startedAt' | 'options'>;

/** A k6 run's report from its folded summaries: the same for one instance, N local segments, or `load fold`. */
export function k6LoadReport(
  base: LoadReportBase,
  fold: K6Fold,
  notes: string[],
  k6: { version: string; script: string },
  coldStarts: ColdStarts,
): LoadReport {
  const latencyNote =
    fold.latencyMethod === 'buckets'
      ? `latency from the script's bucket counters: counts exact, quantiles within ${(LATENCY_BUCKET_RELATIVE_ERROR * 100).toFixed(1)} %`
      : 'latency: percentiles as k6 exported them';
  return {
    ...base,
    counts: fold.counts,
    elapsedMs: fold.elapsedMs,
    throughput: {
      requestsPerSecond: fold.requestsPerSecond,
      okPerSecond: fold.elapsedMs > 0 ? Math.round((fold.counts.ok / (fold.elapsedMs / 1000)) * 10) / 10 : 0,
    },
    latency: { uncorrected: fold.latency },
    errors: fold.errors,
    coldStarts,
    k6: { ...k6, ...(fold.segments ? { segments: fold.segments } : {}) },
    notes: [...notes, `${latencyNote}; no coordinated-omission correction (dropped iterations are counted as missedSchedule)`],
  };
}

export async function runLoad(input: LoadRunInput): Promise<LoadReport> {
  const { target, options, engine } = input;
  const invokeApi = target.kind === 'runtime';
  const k6 = engine === 'k6' ? findK6() : undefined;
  if (engine === 'k6' && !k6) {
    throw new UserError('load: --engine k6 needs k6 on PATH or in ~/go/bin (install: go install go.k6.io/k6@v1.8.1)');
  }
  if (engine === 'builtin' && options.stages) {
    throw new UserError(`load: ${options.profile ?? 'the profile'} has stages, which only --engine k6 runs`);
  }
  const startedAt = new Date().toISOString();
  const body = Buffer.from(JSON.stringify(options.event));
  const served = await serve(target, options.concurrency);
  const notes: string[] = [...options.capped];
  try {
    const base = {
      format: 'lambdaspec.load/v1' as const,
      engine,
      runtime: target.kind === 'runtime' ? target.runtime : null,
      target: {
        kind: invokeApi ? ('invoke-api' as const) : ('url' as const),
        url: served.url,
        ...(target.kind === 'runtime' ? { functionName: target.config.functionName } : {}),
      },
      startedAt,
      options,
    };
    if (engine === 'builtin') {
      const sender = createSender({ url: served.url, invokeApi, body, connections: options.concurrency, tail: invokeApi });
      // A stop must not wait for requests in flight (a function can take 15 minutes): cut them off.
      const cut = (): void => void sender.close();
      input.signal?.addEventListener('abort', cut, { once: true });
      const r = await generateLoad(
        {
          model: options.model,
          concurrency: options.concurrency,
          ...(options.ratePerSecond !== undefined ? { ratePerSecond: options.ratePerSecond } : {}),
          durationMs: options.durationMs,
          requests: options.requests,
          ...(input.signal ? { signal: input.signal } : {}),
        },
        sender.send,
      ).finally(() => {
        input.signal?.removeEventListener('abort', cut);
        return sender.close();
      });
      const seconds = r.elapsedMs / 1000;
      if (input.signal?.aborted) notes.push('stopped early by the user');
      return {
        ...base,
        counts: {
          sent: r.sent,
          completed: r.completed,
          ok: r.ok,
          ...(r.missedSchedule !== undefined ? { missedSchedule: r.missedSchedule } : {}),
        },
        elapsedMs: Math.round(r.elapsedMs * 1000) / 1000,
        throughput: {
          requestsPerSecond: seconds > 0 ? Math.round((r.completed / seconds) * 10) / 10 : 0,
          okPerSecond: seconds > 0 ? Math.round((r.ok / seconds) * 10) / 10 : 0,
        },
        latency: { uncorrected: summarise(r.uncorrected), ...(r.corrected ? { corrected: summarise(r.corrected) } : {}) },
        errors: r.errors,
        coldStarts: coldStartsOf(served.pool?.stats(), invokeApi ? r.coldStarts : null),
        notes,
      };
    }

    const script = generateK6Script(options, { url: served.url, invokeApi, ...(input.iterationHeader ? { iterationHeader: true } : {}) });
    input.log?.(`running k6 (${k6!}) against ${served.url}`);
    const segments = input.segments ?? 1;
    const runs = await runK6Segments(k6!, script, segments, options.durationMs + K6_GRACE_MS, input.signal);
    runs.forEach((run, i) => {
      const who = segments > 1 ? `k6 segment ${i + 1}/${segments}` : 'k6';
      if (run.exitCode === 108) notes.push(`${who} stopped at the request cap (exec.test.abort)`);
      else if (run.exitCode !== 0)
        notes.push(`${who} exited with ${run.exitCode ?? 'a signal'}: ${run.stderrTail.trim().split('\n').slice(-2).join(' | ')}`);
    });
    const fold = foldK6Summaries(
      runs.map((r, i) => ({ summary: r.summary, source: `segment ${i + 1}/${segments}` })),
      options.model,
    );
    const stats = served.pool?.stats();
    const fnCount = fold.errors.functionError['X-Amz-Function-Error'] ?? 0;
    const fromFront = stats ? Object.values(stats.errorTypes).reduce((a, b) => a + b, 0) : 0;
    if (stats && fnCount > 0 && fromFront === fnCount) {
      // Each function error the script counted passed through the front, which knows its type.
      fold.errors.functionError = { ...stats.errorTypes };
      notes.push('function error types: counted by k6 from X-Amz-Function-Error, typed by the front (environment pool)');
    }
    if (segments > 1) notes.push(`${segments} k6 instances, one execution segment each, folded into this report (k6.segments)`);
    return k6LoadReport(base, fold, notes, { version: k6Version(k6!), script }, coldStartsOf(stats, null));
  } finally {
    await served.close();
  }
}
