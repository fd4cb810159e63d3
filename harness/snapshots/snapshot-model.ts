/**
 * `snapshots/<name>.json`: result-level outcomes per case, recorded on one target (typically the deployed function)
 * so that a local run can be checked against them (`lambdaspec run <runtime> --against <snapshot>`).
 */
import type { Verdict } from '../model/report-model.ts';

export interface SnapshotStep {
  /** 1-based step number. */
  step: number;
  /** `Unhandled` when the invocation failed. */
  functionError?: string;
  errorType?: string;
  /** Digest of the normalised payload (normalise.ts), and a scrubbed preview for people. */
  payloadDigest?: string;
  payloadPreview?: string;
  payloadSize?: number;
  /** REPORT fields present (Init Duration is recorded but not compared: coldness depends on scheduling). */
  reportFields?: string[];
  /** Streamed chunks as the invoker received them. */
  chunks?: number;
}

export interface SnapshotCase {
  id: string;
  verdict: Verdict;
  /** Why the case was skipped on the recording target (then it is not compared). */
  skipped?: string;
  steps: SnapshotStep[];
}

export interface Snapshot {
  format: 'lambdaspec.snapshot/v1';
  createdAt: string;
  /** Where it was recorded: `deployed`, `process`, … */
  target: string;
  /** The function or runtime recorded. */
  subject: string;
  cases: SnapshotCase[];
}

/** One outcome that differs between the snapshot and a run. */
export interface SnapshotDifference {
  caseId: string;
  /** 1-based step, absent for case-level differences. */
  step?: number;
  /** `functionError`, `errorType`, `payload`, `reportFields`, `chunks`, `steps`, `case`. */
  field: string;
  recorded: string;
  local: string;
}

export interface SnapshotComparison {
  snapshot: { path: string; target: string; subject: string; createdAt: string };
  compared: number;
  /** Case ids skipped on either side, or missing from one of them. */
  notCompared: Array<{ id: string; why: string }>;
  differences: SnapshotDifference[];
}
