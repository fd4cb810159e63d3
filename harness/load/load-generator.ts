/**
 * The built-in load generator's schedule: closed model (N workers back to back) or open model (a fixed schedule
 * of R requests per second with at most N in flight), bounded in time and count, recording latency from the
 * actual send and — open model — from the intended send time, which corrects for coordinated omission the way
 * wrk2 does: a request held back because every worker was busy counts the wait it was made to do.
 *
 * Independent of HTTP: it drives a `Send` function and reads time from a `Clock`, so tests replay exact schedules.
 */
import { performance } from 'node:perf_hooks';
import type { Histogram } from 'hdr-histogram-js';
import { newHistogram, toMicros } from './latency-histogram.ts';
import { bump, emptyErrorCounts, type ErrorCounts, type LoadModel } from './load-model.ts';

export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** What one request came to, as the generator counts it. */
export type RequestOutcome =
  | { kind: 'ok'; coldStart?: boolean }
  | { kind: 'http'; status: number; coldStart?: boolean }
  | { kind: 'function-error'; errorType: string; coldStart?: boolean }
  | { kind: 'transport'; code: string };

export type Send = () => Promise<RequestOutcome>;

export interface GeneratorPlan {
  model: LoadModel;
  concurrency: number;
  /** Open model only. */
  ratePerSecond?: number;
  durationMs: number;
  requests: number;
  signal?: AbortSignal;
}

export interface GeneratorResult {
  sent: number;
  completed: number;
  ok: number;
  /** Open model: scheduled before the end but never sent. */
  missedSchedule?: number;
  /** First send to last completion. */
  elapsedMs: number;
  uncorrected: Histogram;
  /** Open model only. */
  corrected?: Histogram;
  errors: ErrorCounts;
  /** Outcomes flagged `coldStart` (from the log tail). */
  coldStarts: number;
}

/**
 * Lanes wake this much before a slot: timers fire late by up to about 1 ms, and that lateness is the generator's,
 * not the server's, so it must not be counted as the server's delay. A request sent early counts from its actual
 * send (corrected = uncorrected), one sent late from its slot.
 */
const EARLY_SEND_MS = 1;

export async function generateLoad(plan: GeneratorPlan, send: Send, clock: Clock = realClock): Promise<GeneratorResult> {
  const open = plan.model === 'open';
  if (open && !(plan.ratePerSecond && plan.ratePerSecond > 0)) throw new Error('open model needs a positive rate');
  const interval = open ? 1000 / plan.ratePerSecond! : 0;
  const uncorrected = newHistogram();
  const corrected = open ? newHistogram() : undefined;
  const errors = emptyErrorCounts();
  let sent = 0;
  let completed = 0;
  let ok = 0;
  let coldStarts = 0;
  let next = 0;
  let lastDone = 0;
  const t0 = clock.now();
  const deadline = t0 + plan.durationMs;
  const stopped = (): boolean => plan.signal?.aborted === true;

  const record = (outcome: RequestOutcome): void => {
    completed++;
    switch (outcome.kind) {
      case 'ok':
        ok++;
        break;
      case 'http':
        errors.total++;
        bump(errors.http, String(outcome.status));
        break;
      case 'function-error':
        errors.total++;
        bump(errors.functionError, outcome.errorType);
        break;
      case 'transport':
        errors.total++;
        bump(errors.transport, outcome.code);
        break;
    }
    if (outcome.kind !== 'transport' && outcome.coldStart) coldStarts++;
  };

  const lane = async (): Promise<void> => {
    for (;;) {
      if (next >= plan.requests || stopped()) return;
      const intended = t0 + next * interval;
      if (open && intended >= deadline) return;
      let now = clock.now();
      if (now >= deadline) return;
      next++;
      if (open && intended - now > EARLY_SEND_MS) {
        await clock.sleep(intended - now - EARLY_SEND_MS);
        if (stopped()) return;
        now = clock.now();
      }
      const sentAt = now;
      sent++;
      const outcome = await send();
      const doneAt = clock.now();
      lastDone = doneAt;
      record(outcome);
      uncorrected.recordValue(toMicros(doneAt - sentAt));
      corrected?.recordValue(toMicros(doneAt - Math.min(intended, sentAt)));
    }
  };

  await Promise.all(Array.from({ length: plan.concurrency }, lane));
  const result: GeneratorResult = {
    sent,
    completed,
    ok,
    elapsedMs: Math.max(0, (sent > 0 ? lastDone : t0) - t0),
    uncorrected,
    errors,
    coldStarts,
  };
  if (open) {
    // Every slot before the deadline (and within the count) was due; those never sent were missed.
    const due = Math.min(plan.requests, Math.ceil(plan.durationMs / interval));
    result.missedSchedule = stopped() ? 0 : Math.max(0, due - sent);
    result.corrected = corrected!;
  }
  return result;
}
