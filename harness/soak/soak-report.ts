/**
 * The soak report (`reports/soak/<runtime>.json`): the harness's own resource use over a long mixed run, a growth
 * verdict, and every outcome that changed from its first occurrence. `soakMarkdown` renders the short summary.
 */
import { mdCode, mdText } from '../lib/markdown-escape.ts';
import type { SoakBounds } from './growth.ts';

/** One point of the time series. */
export interface SoakSample {
  /** ms since the soak started. */
  atMs: number;
  /** process.memoryUsage() of the harness. */
  rssBytes: number;
  heapUsedBytes: number;
  /** Entries of /proc/self/fd; null where /proc is missing. */
  openFds: number | null;
  /** Runtime processes the harness has running (launch groups alive). */
  liveRuntimeProcesses: number;
  /** Work done so far. */
  invocations: number;
  cases: number;
}

/** An invocation or case whose outcome differs from its first run in this soak. */
export interface OutcomeDifference {
  /** `case:<id>` or `invoke:<kind>`. */
  what: string;
  round: number;
  atMs: number;
  first: string;
  now: string;
}

export interface SoakGrowth {
  warmupMs: number;
  /** Least-squares RSS slope after warm-up; null when too few samples. */
  rssSlopeMiBPerMin: number | null;
  /** The same for the JS heap (heapUsed): flat heap with rising RSS points at allocator or native growth, not a JS leak. */
  heapSlopeMiBPerMin: number | null;
  rssStartBytes: number;
  rssEndBytes: number;
  /** Open fds before the soak started anything / after it closed everything. */
  fdsBefore: number | null;
  fdsAfter: number | null;
  /** Open fds at the first and last quiescent point (between rounds, the long-lived environment idle). */
  fdsFirstRound: number | null;
  fdsLastRound: number | null;
  fdGrowth: number | null;
  /** Runtime processes still running after the soak closed everything (marker scan included): must be 0. */
  processesLeft: number;
}

export interface SoakReport {
  runtime: string;
  startedAt: string;
  finishedAt: string;
  requestedDurationMs: number;
  elapsedMs: number;
  intervalMs: number;
  interrupted: boolean;
  /** The rotation: conformance case ids, and `invoke:<kind>` direct invocations on one long-lived environment. */
  mix: string[];
  rounds: number;
  cases: number;
  invocations: number;
  bounds: SoakBounds;
  growth: SoakGrowth;
  samples: SoakSample[];
  differences: OutcomeDifference[];
  verdict: 'pass' | 'fail';
  /** Why it failed (empty on pass). */
  reasons: string[];
}

const mib = (b: number): string => `${(b / 1048576).toFixed(1)} MiB`;

export function soakMarkdown(r: SoakReport): string {
  const g = r.growth;
  const lines = [
    `# Soak: ${r.runtime} — ${r.verdict.toUpperCase()}${r.interrupted ? ' (interrupted)' : ''}`,
    '',
    `${(r.elapsedMs / 1000).toFixed(0)} s of ${(r.requestedDurationMs / 1000).toFixed(0)} s requested, ${r.rounds} rounds, ${r.cases} cases, ${r.invocations} direct invocations, a sample every ${r.intervalMs} ms (${r.samples.length} samples).`,
    '',
    `Mix: ${r.mix.join(', ')}`,
    '',
    '| measure | value | bound |',
    '|---|---|---|',
    `| harness RSS start → end | ${mib(g.rssStartBytes)} → ${mib(g.rssEndBytes)} | |`,
    `| RSS slope after ${(g.warmupMs / 1000).toFixed(0)} s warm-up | ${g.rssSlopeMiBPerMin === null ? 'n/a (too few samples)' : `${g.rssSlopeMiBPerMin.toFixed(2)} MiB/min`} | ≤ ${r.bounds.maxRssSlopeMiBPerMin} MiB/min |`,
    `| JS heap slope after warm-up (informational) | ${g.heapSlopeMiBPerMin === null ? 'n/a' : `${g.heapSlopeMiBPerMin.toFixed(2)} MiB/min`} | |`,
    `| open fds first → last round | ${g.fdsFirstRound ?? 'n/a'} → ${g.fdsLastRound ?? 'n/a'} | growth ≤ ${r.bounds.maxFdGrowth} |`,
    `| open fds before → after | ${g.fdsBefore ?? 'n/a'} → ${g.fdsAfter ?? 'n/a'} | |`,
    `| runtime processes left | ${g.processesLeft} | 0 |`,
    `| outcomes that changed | ${r.differences.length} | 0 |`,
    '',
  ];
  if (r.reasons.length > 0) lines.push('Failed because:', '', ...r.reasons.map((x) => `- ${mdText(x)}`), '');
  for (const d of r.differences.slice(0, 20))
    lines.push(`- round ${d.round}, ${mdText(d.what)}: first ${mdCode(d.first)}, now ${mdCode(d.now)}`);
  return `${lines.join('\n')}\n`;
}
