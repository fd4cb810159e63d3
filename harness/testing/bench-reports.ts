/** Synthetic bench reports for the tests: chosen samples, real Distributions. */
import { distributionOf } from '../stats/distribution.ts';
import { BENCH_FORMAT, type BenchReport, type RuntimeBench } from '../bench/bench-model.ts';
import { DEFAULT_SETTINGS, METHOD } from '../bench/bench-runner.ts';

/** n samples spread ±spread/2 around `center`, shuffled, whose nearest-rank median is exactly `center` (n coprime to 37). */
export function samples(center: number, n = 50, spread = 0.05): number[] {
  return Array.from({ length: n }, (_, i) => center * (1 + (spread * (((i * 37) % n) - Math.floor((n - 1) / 2))) / n));
}

/** A runtime whose warm end-to-end and runtime samples centre on `warmMs`; cold figures fixed. */
export function runtimeBench(name: string, warmMs: number, extra: Partial<RuntimeBench> = {}): RuntimeBench {
  const d = (xs: number[], unit: 'ms' | 'MiB' = 'ms') => distributionOf(xs, unit)!;
  return {
    runtime: name,
    language: 'test',
    streamingCapable: false,
    cold: {
      count: 10,
      init: d(samples(40, 10)),
      firstInvocation: d(samples(2, 10)),
      endToEnd: d(samples(45, 10)),
      peakRss: d(samples(16, 10), 'MiB'),
    },
    warm: {
      count: 50,
      eventBytes: 40,
      endToEnd: d(samples(warmMs + 0.4)),
      runtime: d(samples(warmMs)),
      harness: d(samples(0.4)),
      throughputPerSecond: 1000 / (warmMs + 0.4),
    },
    streaming: { skipped: 'runtime.yaml does not declare capability streaming' },
    payload: [{ direction: 'response', bytes: 1024 * 1024, count: 5, endToEnd: d(samples(20, 5)), runtime: d(samples(15, 5)) }],
    errors: [],
    durationMs: 1000,
    ...extra,
  };
}

export function benchReport(runtimes: RuntimeBench[], startedAt = '2026-01-01T00:00:00.000Z'): BenchReport {
  return {
    format: BENCH_FORMAT,
    startedAt,
    finishedAt: startedAt,
    durationMs: 1000,
    machine: { cpus: 2, cpuModel: 'test cpu', node: 'v20', platform: 'linux-x64', loadAverage: 0.5 },
    settings: { ...DEFAULT_SETTINGS, function: { memorySizeMb: 128, timeoutMs: 30_000, environment: {} } },
    method: METHOD,
    runtimes,
  };
}
