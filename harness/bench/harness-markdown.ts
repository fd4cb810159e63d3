/**
 * Markdown of the harness bench: the bare Runtime API beside its loopback floor, the end-to-end paths, and serve
 * beside AWS's Runtime Interface Emulator. `lambdaspec bench` appends it to reports/bench/summary.md; the emulators'
 * HTML page is reports/html/emulators-html.ts.
 */
import type { EmulatorBenchReport, EmulatorSummary } from './emulator-bench.ts';
import type { HarnessBenchResult } from './harness-bench.ts';

export const dash = (v: number | null | undefined, digits = 2): string => (v === null || v === undefined ? '—' : v.toFixed(digits));
export const times = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : `${v.toFixed(2)}×`);

export function harnessMarkdown(r: HarnessBenchResult): string {
  const out = [
    '## The harness itself (`lambdaspec bench-harness`)',
    '',
    `${r.date} · ${r.machine.cpus} × ${r.machine.cpuModel} · Node ${r.machine.node}`,
    '',
    `Bare fake Runtime API (a child process as the minimal runtime; best of ${r.rounds} interleaved rounds of ${r.invocationsPerRun}):`,
    '',
    '| configuration | invocations/s | ratio to the loopback floor |',
    '|---|---:|---:|',
    `| loopback floor | ${r.loopbackFloor.perSecond.toFixed(0)} | 1× |`,
    `| fake API, recording off | ${r.recordingOff.perSecond.toFixed(0)} | ${(r.recordingOff.perSecond / r.loopbackFloor.perSecond).toFixed(2)}× |`,
    `| fake API, recording on | ${r.recordingOn.perSecond.toFixed(0)} | ${r.ratioToFloor.toFixed(2)}× |`,
    '',
  ];
  const e = r.endToEnd;
  if (e) {
    out.push(
      `End to end, with a minimal runtime (harness/bench/minimal-runtime.ts); the round with the least CPU per invocation of ${e.rounds}:`,
      '',
      '| path | invocations/s | harness share p50 (ms) | harness share p99 (ms) | harness CPU per invocation (ms) |',
      '|---|---:|---:|---:|---:|',
      ...e.paths.map(
        (p) =>
          `| ${p.path} | ${p.perSecond.toFixed(0)} | ${dash(p.harnessShareMs?.p50, 3)} | ${dash(p.harnessShareMs?.p99, 3)} | ${p.cpuMsPerInvocation.toFixed(3)} |`,
      ),
      '',
      `Load scaling with the runtime that sleeps 10 ms: 4 environments give ${times(e.loadScaling)} the throughput of 1 (target ≥ 3×).`,
      '',
      'Harness share = the front has the request → its response is written, minus the runtime share (event handed out on /next → response complete). ' +
        'CPU = process.cpuUsage() of the harness process over the measured invocations (for `load` that includes the built-in generator, as `lambdaspec load` runs it; `run` is per case).',
      ...e.paths.flatMap((p) => (p.notes ?? []).map((n) => `- ${p.path}: ${n}`)),
      '',
    );
  }
  return `${out.join('\n')}\n`;
}

export const EMULATOR_NAMES: Record<string, string> = {
  rie: 'RIE',
  'serve-record-off': 'serve, recording off',
  'serve-record-on': 'serve, recording on',
};

function row(s: EmulatorSummary): string {
  const v = s.vsRie;
  return `| ${s.runtime} | ${EMULATOR_NAMES[s.emulator]} | ${dash(s.perSecond, 0)}${v ? ` (${times(v.perSecond)})` : ''} | ${dash(s.p50Ms, 3)} | ${dash(s.p99Ms, 3)} | ${dash(s.cpuMsPerInvocation, 3)}${v ? ` (${times(v.cpuMsPerInvocation)})` : ''} | ${dash(s.coldStartMs, 0)}${v ? ` (${times(v.coldStartMs)})` : ''} | ${dash(s.rssMiB, 1)}${v ? ` (${times(v.rssMiB)})` : ''} | ${s.concurrentNotes.length ? s.concurrentNotes.join('; ') : 'ok'} |`;
}

export function emulatorsMarkdown(r: EmulatorBenchReport): string {
  const out = [
    "## `lambdaspec serve` beside AWS's Runtime Interface Emulator",
    '',
    `${r.date} · ${r.machine.cpus} × ${r.machine.cpuModel} · load average ${r.machine.loadAverage.join(' / ')} · aws-lambda-rie ${r.rie.version}`,
    '',
  ];
  if (r.rie.skipped) {
    out.push(`Not measured: ${r.rie.skipped}.`, '');
    return `${out.join('\n')}\n`;
  }
  out.push(
    'Medians over the rounds; in brackets the ratio to RIE on the same bootstrap (throughput: higher is better; CPU, cold start, RSS: lower is better).',
    '',
    '| runtime | emulator | warm invocations/s | p50 (ms) | p99 (ms) | emulator CPU per invocation (ms) | cold start (ms) | emulator RSS (MiB) | 4 concurrent clients |',
    '|---|---|---:|---:|---:|---:|---:|---:|---|',
    ...r.summary.map(row),
    '',
    `Targets: serve recording off ≥ ${r.targets.serveOffVsRie}× RIE's invocations/s, recording on ≥ ${r.targets.serveOnVsRie}×. ` +
      Object.entries(r.meetsTargets)
        .map(([rt, m]) => `${rt}: off ${m.recordingOff ? 'met' : 'NOT met'}, on ${m.recordingOn ? 'met' : 'NOT met'}`)
        .join('; ') +
      '.',
    '',
    `Method: ${r.method}`,
    '',
  );
  return `${out.join('\n')}\n`;
}
