/**
 * `lambdaspec bench [runtime…]`: cold start, warm latency and throughput, streaming and payload scaling per runtime,
 * written to reports/bench/<runtime>.json|md and, with several runtimes, summary.json|md side by side; with
 * `--baseline`, compared against a stored report and exit 1 on a regression beyond the threshold.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { EXIT } from '../lib/exit-codes.ts';
import { join, resolve } from 'node:path';
import { renderComparisonMarkdown, renderRuntimeMarkdown, renderSummaryMarkdown } from '../bench/bench-markdown.ts';
import type { BenchReport, BenchSettings } from '../bench/bench-model.ts';
import { DEFAULT_SETTINGS, runBench } from '../bench/bench-runner.ts';
import { compareReports, readBenchReport } from '../bench/compare.ts';
import { MAX_REQUEST_PAYLOAD_BYTES } from '../invoke/front.ts';
import { prepareRuntimes } from '../runtime-definition/prepare-runtimes.ts';
import { withoutForeignArchitectures } from './target-flags.ts';
import { benchReportHtml } from '../reports/html/perf-pages.ts';
import { writeScrubbedFile } from '../secrets/scrubbed-write.ts';
import { checkOutputPath } from '../lib/output-path.ts';
import { parseDurationFlag } from '../lib/duration-flag.ts';
import { UserError } from '../lib/user-error.ts';
import { FUNCTION_FLAGS, functionOverrides, parseFlags, parsePositiveInt } from './args.ts';
import type { Io } from './io.ts';
import { defaultReportPath } from '../lib/report-dir.ts';

export const BENCH_USAGE = `lambdaspec bench [runtime…] [options]

Measures each runtime (default: every bundled runtime), interleaved round-robin: cold starts, warm invocations,
streaming (runtimes with capability streaming) and payload scaling. Writes reports/bench/<runtime>.json, .md and
.html (charts), and with several runtimes summary.json, summary.md and summary.html side by side.

  --cold <n>               fresh processes per runtime (default ${DEFAULT_SETTINGS.coldStarts})
  --warm <n>               measured warm invocations per runtime (default ${DEFAULT_SETTINGS.warmInvocations})
  --warmup <n>             unmeasured invocations first (default ${DEFAULT_SETTINGS.warmup})
  --batch <n>              warm invocations per batch before the next runtime's turn (default ${DEFAULT_SETTINGS.warmBatch})
  --stream <n>             streamed invocations per streaming runtime (default ${DEFAULT_SETTINGS.streamInvocations}; 0: none)
  --sizes <list>           payload sizes, e.g. 1k,64k,1m,6m (k = KiB, m = MiB; default); none: no payload phase
  --reps <n>               invocations per payload size and direction (default ${DEFAULT_SETTINGS.payloadRepetitions})
  --phase-budget <dur>     time per runtime and phase, e.g. 30s (default ${DEFAULT_SETTINGS.phaseBudgetMs / 1000}s): slow runtimes get fewer samples
  --time-limit <dur>       the whole run (default ${DEFAULT_SETTINGS.timeLimitMs / 60_000}m)
  --quick                  small counts for a first look (cold 5, warm 200, stream 30, sizes 1k,1m, reps 5)
  --report-dir <dir>       where reports go (default reports/bench)
  --out <file>             also write the whole report (all runtimes) as JSON here, e.g. to keep as a baseline
  --baseline <file>        compare with a stored report (summary.json or <runtime>.json): exit 1 on a regression
  --max-regression <pct>   allowed slowdown of a median, in percent (default 10)
  --seed <n>               seed of the bootstrap (default 1)
  --timeout <dur> --memory <mb> --handler <h> --env K=V   function configuration (timeout default 30s)

A regression counts only when the whole 95 % bootstrap confidence interval of the median ratio (current /
baseline) lies above 1 + max-regression/100.

Exit status: 0, 1 on a regression against --baseline, 2 on bad input, 130 interrupted.`;

const QUICK = { coldStarts: 5, warmInvocations: 200, streamInvocations: 30, payloadSizes: [1024, 1024 * 1024], payloadRepetitions: 5 };

/** `1k,64k,1m,6m` → bytes (k = 1024, m = 1024²); `none` → no sizes. */
export function parseSizes(value: string): number[] {
  if (value.trim() === 'none') return [];
  const sizes = value.split(',').map((part) => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)[iI]?[bB]?\s*$/.exec(part);
    if (!m) throw new UserError(`--sizes: "${part}" is not a size (use e.g. 1k, 64k, 1m, 6m or bytes)`);
    const unit = m[2]!.toLowerCase();
    const bytes = Math.round(Number(m[1]) * (unit === 'k' ? 1024 : unit === 'm' ? 1024 * 1024 : 1));
    if (bytes < 64) throw new UserError(`--sizes: ${part} is below 64 bytes, too small for a padded probe event`);
    if (bytes > MAX_REQUEST_PAYLOAD_BYTES)
      throw new UserError(`--sizes: ${part} is above Lambda's ${MAX_REQUEST_PAYLOAD_BYTES}-byte payload limit`);
    return bytes;
  });
  return [...new Set(sizes)].sort((a, b) => a - b);
}

function parseCount(flag: string, value: string | undefined, allowZero = false): number | undefined {
  if (allowZero && value !== undefined && /^0+$/.test(value)) return 0;
  return parsePositiveInt(flag, value);
}

export async function benchCommand(argv: string[], io: Io, signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseFlags('bench', argv, {
    cold: { type: 'string' },
    warm: { type: 'string' },
    warmup: { type: 'string' },
    batch: { type: 'string' },
    stream: { type: 'string' },
    sizes: { type: 'string' },
    reps: { type: 'string' },
    'phase-budget': { type: 'string' },
    'time-limit': { type: 'string' },
    quick: { type: 'boolean' },
    'report-dir': { type: 'string' },
    out: { type: 'string' },
    baseline: { type: 'string' },
    'max-regression': { type: 'string' },
    seed: { type: 'string' },
    ...FUNCTION_FLAGS,
  });
  const overrides = functionOverrides(values);
  overrides.timeoutMs ??= 30_000;
  const base = { ...DEFAULT_SETTINGS, ...(values.quick ? QUICK : {}) };
  const settings: BenchSettings = {
    coldStarts: parseCount('cold', values.cold, true) ?? base.coldStarts,
    warmup: parseCount('warmup', values.warmup, true) ?? base.warmup,
    warmInvocations: parseCount('warm', values.warm, true) ?? base.warmInvocations,
    warmBatch: parsePositiveInt('batch', values.batch) ?? base.warmBatch,
    streamInvocations: parseCount('stream', values.stream, true) ?? base.streamInvocations,
    payloadSizes: values.sizes !== undefined ? parseSizes(values.sizes) : base.payloadSizes,
    payloadRepetitions: parseCount('reps', values.reps, true) ?? base.payloadRepetitions,
    phaseBudgetMs: values['phase-budget'] !== undefined ? parseDurationFlag('phase-budget', values['phase-budget']) : base.phaseBudgetMs,
    timeLimitMs: values['time-limit'] !== undefined ? parseDurationFlag('time-limit', values['time-limit']) : base.timeLimitMs,
    function: { memorySizeMb: overrides.memorySizeMb ?? 128, timeoutMs: overrides.timeoutMs, environment: overrides.environment ?? {} },
  };
  const thresholdPct = values['max-regression'] !== undefined ? Number(values['max-regression']) : 10;
  if (!Number.isFinite(thresholdPct) || thresholdPct < 0)
    throw new UserError(`--max-regression: "${values['max-regression']}" is not a percentage ≥ 0`);
  const seed = values.seed !== undefined ? parseCount('seed', values.seed, true)! : 1;
  // Read the baseline before spending minutes measuring: a wrong path should fail at once.
  const baselinePath = values.baseline !== undefined ? resolve(values.baseline) : undefined;
  const baseline = baselinePath ? readBenchReport(baselinePath) : undefined;

  checkOutputPath('report-dir', values['report-dir'], 'folder');
  checkOutputPath('out', values.out, 'file');
  const prepared = await prepareRuntimes(positionals, (l) => io.err(`${l}\n`));
  // Every bundled runtime: one built for another architecture cannot start here, so it is left out with the reason
  // (named explicitly, it is measured and its errors reported).
  const ready = positionals.length > 0 ? prepared.ready : withoutForeignArchitectures(prepared, false, (l) => io.err(`${l}\n`)).runtimes;
  if (ready.length === 0) throw new UserError('no runtime can run here (see the skipped ones above)');
  const names = ready.map((r) => r.spec.name);
  if (new Set(names).size !== names.length) throw new UserError(`bench: a runtime is named twice (${names.join(', ')})`);

  io.err(`benchmarking ${names.join(', ')}\n`);
  const report = await runBench(ready, { settings, overrides, log: (l) => io.err(`${l}\n`), signal });

  if (baseline) {
    report.comparison = compareReports(baseline, report, { thresholdPct, seed, baselinePath: baselinePath! });
  }
  const dir = values['report-dir'] ? resolve(values['report-dir']) : defaultReportPath('bench');
  const written: string[] = [];
  for (const rt of report.runtimes) {
    const single: BenchReport = { ...report, runtimes: [rt] };
    delete single.summary;
    if (report.runtimes.length > 1) delete single.comparison;
    writeScrubbedFile(join(dir, `${rt.runtime}.json`), `${JSON.stringify(single, null, 2)}\n`);
    writeScrubbedFile(join(dir, `${rt.runtime}.md`), renderRuntimeMarkdown(single, rt));
    writeScrubbedFile(join(dir, `${rt.runtime}.html`), benchReportHtml(single));
    written.push(join(dir, `${rt.runtime}.json`), join(dir, `${rt.runtime}.html`));
  }
  if (report.runtimes.length > 1) {
    writeScrubbedFile(join(dir, 'summary.json'), `${JSON.stringify(report, null, 2)}\n`);
    // The harness, generator and start-up benches of the same `npm run bench` (written just before into this folder)
    // close the summary; one older than an hour is from another run and left out.
    const harnessParts = ['harness.md', 'emulators.md', 'generators.md', 'startup.md']
      .map((f) => join(dir, f))
      .filter((f) => existsSync(f) && Date.now() - statSync(f).mtimeMs < 3_600_000);
    const md = [renderSummaryMarkdown(report), ...harnessParts.map((f) => readFileSync(f, 'utf8'))].join('\n');
    writeScrubbedFile(join(dir, 'summary.md'), md);
    writeScrubbedFile(join(dir, 'summary.html'), benchReportHtml(report));
    written.push(join(dir, 'summary.json'), join(dir, 'summary.md'), join(dir, 'summary.html'));
    io.out(md);
  } else {
    const rt = report.runtimes[0]!;
    io.out(renderRuntimeMarkdown(report, rt));
    if (report.comparison) io.out(`\n${renderComparisonMarkdown(report.comparison)}`);
  }
  if (values.out) {
    const out = resolve(values.out);
    writeScrubbedFile(out, `${JSON.stringify(report, null, 2)}\n`);
    written.push(out);
  }
  io.err(`bench took ${(report.durationMs / 1000).toFixed(1)} s; written: ${written.join(', ')}\n`);
  if (signal.aborted) return EXIT.INTERRUPTED;
  return report.comparison?.failed ? EXIT.FAILED : EXIT.OK;
}
