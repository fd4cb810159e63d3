/** The metrics of a runtime's bench results, by stable id, and the side-by-side rows built from them. */
import { ratiosToBest } from '../stats/ratio.ts';
import type { Distribution, RuntimeBench, SummaryRow } from './bench-model.ts';

export interface Metric {
  /** Stable id, e.g. `cold.init`, `warm.runtime`, `payload.response.1048576.endToEnd`. */
  id: string;
  label: string;
  distribution: Distribution;
  /** A regression of this metric fails the gate. The harness's own share does not: it is not the runtime's. */
  gates: boolean;
}

/** Human size: 1 KiB, 64 KiB, 1 MiB, 6 MiB, or bytes. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} B`;
}

/** Every distribution of one runtime's results, in a fixed order. */
export function metricsOf(rt: RuntimeBench): Metric[] {
  const out: Metric[] = [];
  const add = (id: string, label: string, d: Distribution | undefined, gates = true): void => {
    if (d) out.push({ id, label, distribution: d, gates });
  };
  if (rt.cold) {
    add('cold.init', 'cold start: spawn → first /next', rt.cold.init);
    add('cold.firstInvocation', 'cold start: first invocation (runtime)', rt.cold.firstInvocation);
    add('cold.endToEnd', 'cold start: first invoke end to end', rt.cold.endToEnd);
    add('cold.peakRss', 'cold start: peak RSS', rt.cold.peakRss);
  }
  if (rt.warm) {
    add('warm.endToEnd', 'warm invoke end to end', rt.warm.endToEnd);
    add('warm.runtime', 'warm invoke: runtime (handed out → response)', rt.warm.runtime);
    add('warm.harness', 'warm invoke: harness share', rt.warm.harness, false);
  }
  if (rt.streaming && !('skipped' in rt.streaming)) {
    add('streaming.firstByte', 'streaming: time to first byte', rt.streaming.firstByte);
    add('streaming.total', 'streaming: total', rt.streaming.total);
    add('streaming.runtimeFirstByte', 'streaming: runtime first byte', rt.streaming.runtimeFirstByte);
    add('streaming.runtimeTotal', 'streaming: runtime total', rt.streaming.runtimeTotal);
  }
  for (const p of rt.payload) {
    const what = `${formatBytes(p.bytes)} ${p.direction}`;
    add(`payload.${p.direction}.${p.bytes}.endToEnd`, `${what}: end to end`, p.endToEnd);
    add(`payload.${p.direction}.${p.bytes}.runtime`, `${what}: runtime`, p.runtime);
  }
  return out;
}

/** The figures of the side-by-side table, in column order. */
function summaryMetricIds(runtimes: RuntimeBench[]): string[] {
  const ids = [
    'cold.init',
    'cold.endToEnd',
    'cold.peakRss',
    'warm.endToEnd',
    'warm.runtime',
    'warm.throughput',
    'streaming.firstByte',
    'streaming.total',
  ];
  const payload = new Set<string>();
  for (const rt of runtimes) for (const p of rt.payload) payload.add(`payload.${p.direction}.${p.bytes}.endToEnd`);
  const order = (id: string): [number, number] => {
    const [, dir, bytes] = id.split('.');
    return [dir === 'event' ? 0 : 1, Number(bytes)];
  };
  return [
    ...ids,
    ...[...payload].sort((a, b) => {
      const [da, ba] = order(a);
      const [db, bb] = order(b);
      return da - db || ba - bb;
    }),
  ];
}

/** Medians of each metric on each runtime, with ratios to the best runtime (1 = best). */
export function summaryRows(runtimes: RuntimeBench[]): SummaryRow[] {
  const rows: SummaryRow[] = [];
  const byRuntime = new Map(runtimes.map((rt) => [rt.runtime, new Map(metricsOf(rt).map((m) => [m.id, m]))]));
  for (const id of summaryMetricIds(runtimes)) {
    const values = new Map<string, number | undefined>();
    let label = id;
    let unit: SummaryRow['unit'] = 'ms';
    const lowerIsBetter = id !== 'warm.throughput';
    for (const rt of runtimes) {
      if (id === 'warm.throughput') {
        label = 'warm throughput';
        unit = '/s';
        values.set(rt.runtime, rt.warm?.throughputPerSecond);
        continue;
      }
      const m = byRuntime.get(rt.runtime)?.get(id);
      if (m) {
        label = m.label;
        unit = m.distribution.unit;
      }
      values.set(rt.runtime, m?.distribution.p50);
    }
    if ([...values.values()].every((v) => v === undefined)) continue;
    const ratios = ratiosToBest(values, lowerIsBetter);
    const row: SummaryRow = { metric: id, label, unit, lowerIsBetter, values: {}, ratios: {} };
    for (const [name, v] of values) if (v !== undefined) row.values[name] = v;
    for (const [name, r] of ratios) if (r !== undefined) row.ratios[name] = Math.round(r * 100) / 100;
    rows.push(row);
  }
  return rows;
}
