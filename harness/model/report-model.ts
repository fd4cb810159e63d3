/**
 * `report.json`, the source of truth of a run: every other format (JUnit, Markdown, HTML, the matrix) is a view of it.
 */
import type { LogLine, ProcessRecord } from './invocation.ts';
import type { ExchangeJson } from './recording.ts';

/**
 * pass · fail (a MUST broken) · non-strict (a SHOULD broken) · informational (a MAY case that did not hold) ·
 * inconclusive (nothing broken, but a precondition of the case was not met, so it proves nothing: the fault was
 * never delivered, the event never handed out) · skipped (capability not declared, not observable on this target,
 * or filtered out). docs/verdicts.md says how each is reached.
 */
export type Verdict = 'pass' | 'fail' | 'non-strict' | 'informational' | 'inconclusive' | 'skipped';

export type Level = 'must' | 'should' | 'may';

/** One expectation that did not hold. */
export interface Finding {
  /** 1-based step number within the case. */
  step: number;
  /** What was checked, e.g. `result.payload.errorType` or `wire.exchanges[0].headers.Lambda-Runtime-Function-Error-Type`. */
  path: string;
  expected: string;
  actual: string;
  /** A precondition of the case that was not met (not a broken expectation): alone, it makes the case inconclusive. */
  precondition?: true;
}

export interface CaseEvidence {
  /** Wire exchanges that the verdict rests on (matched ones, or the whole step's exchanges when nothing matched). */
  exchanges: ExchangeJson[];
  /** Runtime output and platform lines of the case (bounded). */
  logs: LogLine[];
  /** Per step: what the invoker got. */
  results: Array<{
    step: number;
    requestId?: string;
    outcome?: string;
    functionError?: string;
    errorType?: string;
    payloadPreview?: string;
    payloadSize?: number;
    durationMs?: number;
    /** Digest of the payload with per-invocation values masked (snapshots/normalise.ts): equal outcomes, equal digests. */
    payloadDigest?: string;
    /** REPORT fields present in the invocation's REPORT line. */
    reportFields?: string[];
    /** Chunks the response arrived in, when it was streamed. */
    chunks?: number;
  }>;
  /** The runtime processes the case started: start, first /next, exit (absent in reports written before it existed). */
  processes?: ProcessRecord[];
}

export interface CaseReport {
  id: string;
  title: string;
  area: string;
  level: Level;
  verdict: Verdict;
  /** Why: the first finding in words, the skip reason, or the harness problem. */
  reason?: string;
  requirement: string;
  source: string;
  rationale?: string;
  /** Where the case is defined: `suites/conformance/error.yaml:12`. */
  location: string;
  durationMs: number;
  findings: Finding[];
  /** Requests to paths the Runtime API does not serve (`GET //2018-06-01/…` → 404), as `METHOD target → status`. */
  unknownRoutes?: string[];
  evidence: CaseEvidence;
}

export interface VerdictCounts {
  total: number;
  pass: number;
  fail: number;
  'non-strict': number;
  informational: number;
  inconclusive: number;
  skipped: number;
}

export interface RuntimeDescription {
  name: string;
  language: string;
  description?: string;
  bootstrap: string;
  architecture: string;
  capabilities: Record<string, boolean>;
  /** MUST cases the runtime documents as its own deviations (runtime.yaml `deviations`: case id → evidence). */
  deviations?: Record<string, string>;
}

/** One forced cold start of a deployed function (`--cold N`). */
export interface ColdStartSample {
  requestId: string;
  /** From the REPORT line; absent means the invocation was not cold after all. */
  initDurationMs?: number;
  durationMs: number;
  billedDurationMs: number;
  maxMemoryUsedMb: number;
  /** Invoke call to answer, as the client saw it. */
  clientMs: number;
}

export interface ColdStartMeasurement {
  requested: number;
  samples: ColdStartSample[];
  /** Set when cold starts could not be forced: why, and what was measured instead. */
  degraded?: string;
}

export interface RunReport {
  format: 'lambdaspec.report/v1';
  tool: { name: 'lambdaspec'; version: string };
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  runtime: RuntimeDescription;
  /** Where the bootstraps ran (`--target`): `process`, `sandbox` or `container` (harness/targets/registry.ts). */
  target: string;
  environment: { node: string; platform: string; arch: string; cpus: number };
  options: { strict: boolean; filter?: string[]; suites: string[]; jobs: number };
  /** Which cases were selected, as a digest: reports with the same digest ran the same suite. */
  suite?: { digest: string; cases: number };
  summary: VerdictCounts & { byArea: Record<string, VerdictCounts> };
  /**
   * The run's exit status: 0 when no MUST failed or was inconclusive (with --strict: no SHOULD either), 1 otherwise
   * (a MUST that could not be judged is not shown to hold, so it cannot certify the runtime); 2 when it stopped
   * early (`stopped`), 130 when a signal ended it (lib/exit-codes.ts).
   */
  exitCode: number;
  /**
   * Requests to paths the Runtime API does not serve, over the whole run: each request (`METHOD target → status`)
   * and the cases it happened in. A runtime that builds its URLs wrongly shows up here first, not as symptoms.
   */
  unknownRoutes?: Array<{ request: string; cases: string[] }>;
  /** True when the run was interrupted and `cases` holds only the cases done so far. */
  interrupted: boolean;
  /** Cases selected but never run because the run ended early (interrupted or stopped). */
  notRun?: NotRunCase[];
  /** Why the run stopped before its end (e.g. the deployed function was throttled); `cases` holds the cases done. */
  stopped?: string;
  /** Forced cold starts of a deployed function (`--cold N`). */
  coldStarts?: ColdStartMeasurement;
  cases: CaseReport[];
}

/** A selected case the run did not reach. */
export interface NotRunCase {
  id: string;
  title: string;
  area: string;
}

export function emptyCounts(): VerdictCounts {
  return { total: 0, pass: 0, fail: 0, 'non-strict': 0, informational: 0, inconclusive: 0, skipped: 0 };
}

export function countVerdicts(
  cases: readonly Pick<CaseReport, 'verdict' | 'area'>[],
): VerdictCounts & { byArea: Record<string, VerdictCounts> } {
  const all = emptyCounts();
  const byArea: Record<string, VerdictCounts> = {};
  for (const c of cases) {
    const area = (byArea[c.area] ??= emptyCounts());
    for (const k of [all, area]) {
      k.total++;
      k[c.verdict]++;
    }
  }
  return { ...all, byArea };
}

/**
 * A broken expectation's verdict depends on the case's level; with every expectation held, an unmet precondition
 * makes the case inconclusive, never a pass.
 */
export function verdictFor(level: Level, held: boolean, preconditionsMet = true): Verdict {
  if (held) return preconditionsMet ? 'pass' : 'inconclusive';
  return level === 'must' ? 'fail' : level === 'should' ? 'non-strict' : 'informational';
}

/** Inconclusive counts as its level's failure: a MUST always, a SHOULD with --strict, a MAY never. */
export function exitCodeFor(cases: readonly Pick<CaseReport, 'verdict' | 'level'>[], strict: boolean): 0 | 1 {
  for (const c of cases) {
    if (c.verdict === 'fail' || (strict && c.verdict === 'non-strict')) return 1;
    if (c.verdict === 'inconclusive' && (c.level === 'must' || (strict && c.level === 'should'))) return 1;
  }
  return 0;
}

/** The run's unknown routes, each with the cases it happened in (in case order). */
export function collectUnknownRoutes(
  cases: readonly Pick<CaseReport, 'id' | 'unknownRoutes'>[],
): Array<{ request: string; cases: string[] }> {
  const byRequest = new Map<string, string[]>();
  for (const c of cases) {
    for (const r of new Set(c.unknownRoutes ?? [])) {
      const list = byRequest.get(r) ?? [];
      list.push(c.id);
      byRequest.set(r, list);
    }
  }
  return [...byRequest].map(([request, ids]) => ({ request, cases: ids }));
}
