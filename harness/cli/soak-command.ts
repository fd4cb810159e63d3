/** `lambdaspec soak <runtime> --duration 10m`: a long mixed run that watches the harness for growth and drift. */
import { EXIT } from '../lib/exit-codes.ts';
import { join, resolve } from 'node:path';
import { preflightLocal } from '../probe/preflight.ts';
import { prepareRuntimes } from '../runtime-definition/prepare-runtimes.ts';
import { DEFAULT_BOUNDS } from '../soak/growth.ts';
import { soakMarkdown, type SoakReport } from '../soak/soak-report.ts';
import { runSoak } from '../soak/soak-runner.ts';
import { writeScrubbedFile } from '../secrets/scrubbed-write.ts';
import { checkOutputPath } from '../lib/output-path.ts';
import { parseDurationFlag } from '../lib/duration-flag.ts';
import { UserError } from '../lib/user-error.ts';
import { parseFlags } from './args.ts';
import type { Io } from './io.ts';
import { defaultReportPath } from '../lib/report-dir.ts';

/** A soak is bounded: nobody should be able to start one that runs for days by a typo. */
export const MAX_SOAK_MS = 24 * 60 * 60 * 1000;

export const SOAK_USAGE = `lambdaspec soak <runtime> --duration <d> [options]

Runs a rotating mix of conformance cases (echo, error, streaming if supported, timeout, crash) and direct
invocations on one long-lived environment until --duration is up, sampling the harness's RSS, open file
descriptors and live runtime processes. Writes reports/soak/<runtime>.json and .md.

  --duration <d>         how long, e.g. 30s, 10m, 2h (required, at most 24h)
  --interval <d>         time between samples (default 5s)
  --warmup <d>           judge growth only after this long (default: the first quarter of the run, or the first
                         round if longer); a short soak on a busy machine is still warming up for a while
  --report-dir <dir>     where the reports go (default reports/soak)
  --max-rss-slope <n>    RSS growth after warm-up allowed, MiB per minute (default ${DEFAULT_BOUNDS.maxRssSlopeMiBPerMin})
  --max-fd-growth <n>    open descriptors allowed to accumulate (default ${DEFAULT_BOUNDS.maxFdGrowth})

Exit status: 0 when nothing grew past its bound and every outcome matched its first run, 1 otherwise,
2 on bad input, 130 interrupted (the partial report is written).`;

function parseNonNegative(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new UserError(`--${flag}: "${value}" is not a non-negative number`);
  return n;
}

export async function soakCommand(argv: string[], io: Io, signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseFlags('soak', argv, {
    duration: { type: 'string' },
    interval: { type: 'string' },
    warmup: { type: 'string' },
    'report-dir': { type: 'string' },
    'max-rss-slope': { type: 'string' },
    'max-fd-growth': { type: 'string' },
  });
  if (positionals.length !== 1) throw new UserError(`soak: expected exactly one <runtime> (see 'lambdaspec soak --help')`);
  if (values.duration === undefined) throw new UserError('soak: --duration is required (e.g. --duration 10m)');
  const durationMs = parseDurationFlag('duration', values.duration);
  if (durationMs <= 0 || durationMs > MAX_SOAK_MS)
    throw new UserError(`--duration: "${values.duration}" must be more than 0 and at most 24h`);
  const intervalMs = values.interval === undefined ? 5000 : parseDurationFlag('interval', values.interval);
  if (intervalMs < 100) throw new UserError(`--interval: "${values.interval}" is too short (at least 100ms)`);
  const warmupMs = values.warmup === undefined ? undefined : parseDurationFlag('warmup', values.warmup);
  if (warmupMs !== undefined && warmupMs >= durationMs) throw new UserError(`--warmup: "${values.warmup}" must be shorter than --duration`);
  const bounds = {
    maxRssSlopeMiBPerMin: parseNonNegative('max-rss-slope', values['max-rss-slope'], DEFAULT_BOUNDS.maxRssSlopeMiBPerMin),
    maxFdGrowth: parseNonNegative('max-fd-growth', values['max-fd-growth'], DEFAULT_BOUNDS.maxFdGrowth),
  };
  const reportDir = values['report-dir'] ? resolve(values['report-dir']) : defaultReportPath('soak');
  checkOutputPath('report-dir', reportDir, 'folder');

  const [runtime] = (await prepareRuntimes([positionals[0]!], (l) => io.err(`${l}\n`))).ready;
  if (!runtime) throw new UserError(`runtime ${positionals[0]} cannot run here`);
  const preflight = await preflightLocal(runtime, {}, signal);
  if (preflight.kind === 'not-probe') throw new UserError(preflight.message);
  io.err(`soak ${runtime.spec.name} for ${values.duration}, sampling every ${intervalMs} ms\n`);
  const report: SoakReport = await runSoak({
    runtime,
    durationMs,
    intervalMs,
    ...(warmupMs !== undefined ? { warmupMs } : {}),
    bounds,
    signal,
    onProgress: (l) => io.err(`${l}\n`),
  });
  const json = join(reportDir, `${runtime.spec.name}.json`);
  writeScrubbedFile(json, `${JSON.stringify(report, null, 2)}\n`);
  writeScrubbedFile(join(reportDir, `${runtime.spec.name}.md`), soakMarkdown(report));
  const g = report.growth;
  io.out(
    `${runtime.spec.name}: soak ${report.verdict.toUpperCase()}${report.interrupted ? ' (interrupted)' : ''} — ${report.rounds} rounds, RSS ${(g.rssStartBytes / 1048576).toFixed(1)} → ${(g.rssEndBytes / 1048576).toFixed(1)} MiB, fds ${g.fdsBefore ?? '?'} → ${g.fdsAfter ?? '?'}, ${g.processesLeft} processes left → ${json}\n`,
  );
  for (const r of report.reasons) io.out(`  ${r}\n`);
  if (signal.aborted) return EXIT.INTERRUPTED;
  return report.verdict === 'pass' ? 0 : 1;
}
