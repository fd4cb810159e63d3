/** Turn what the user asked for (flags over a profile) into bounded `LoadOptions`: defaults, then hard caps. */
import { UserError } from '../lib/user-error.ts';
import { LOAD_LIMITS, type LoadOptions } from './load-model.ts';
import type { LoadProfile } from './load-profile.ts';

/** The probe contract's echo event: every bundled runtime answers it with the payload. */
export const DEFAULT_EVENT = { probe: 'echo', payload: 'lambdaspec load' };

export interface LoadRequest {
  concurrency?: number;
  rate?: number;
  durationMs?: number;
  requests?: number;
  event?: unknown;
  profile?: LoadProfile;
  /** Local execution environments (one runtime process each) will serve the load: a lower cap applies. */
  localEnvironments: boolean;
}

function cap(what: string, value: number, max: number, capped: string[]): number {
  if (value <= max) return value;
  capped.push(`${what} ${value} exceeds the cap; using ${max}`);
  return max;
}

export function resolveLoadOptions(req: LoadRequest): LoadOptions {
  const p = req.profile;
  const capped: string[] = [];
  const concurrencyAsked = req.concurrency ?? p?.concurrency;
  if (concurrencyAsked === undefined) throw new UserError('load: --concurrency <n> is required (or a --profile that sets concurrency)');
  const maxConcurrency = req.localEnvironments ? LOAD_LIMITS.maxEnvironments : LOAD_LIMITS.maxConcurrency;
  const concurrency = cap(
    req.localEnvironments ? 'concurrency (= execution environments)' : 'concurrency',
    concurrencyAsked,
    maxConcurrency,
    capped,
  );
  const rateAsked = req.rate ?? p?.rate;
  const ratePerSecond = rateAsked === undefined ? undefined : cap('rate', rateAsked, LOAD_LIMITS.maxRatePerSecond, capped);
  const stages = p?.stages;
  const stagesMs = stages?.reduce((n, s) => n + s.durationMs, 0);
  const durationAsked = req.durationMs ?? p?.durationMs ?? stagesMs;
  const requestsAsked = req.requests ?? p?.requests;
  if (durationAsked === undefined && requestsAsked === undefined) {
    throw new UserError('load: give --duration <time> or --requests <n> (or a --profile with duration, requests or stages)');
  }
  const durationMs = cap('duration (ms)', durationAsked ?? LOAD_LIMITS.maxDurationMs, LOAD_LIMITS.maxDurationMs, capped);
  const requests = cap('requests', requestsAsked ?? LOAD_LIMITS.maxRequests, LOAD_LIMITS.maxRequests, capped);
  if (durationMs <= 0) throw new UserError('load: --duration must be more than 0');
  return {
    model: ratePerSecond !== undefined ? 'open' : 'closed',
    concurrency,
    ...(ratePerSecond !== undefined ? { ratePerSecond } : {}),
    durationMs,
    requests,
    ...(stages ? { stages } : {}),
    event: req.event ?? (p && 'event' in p ? p.event : DEFAULT_EVENT),
    capped,
    ...(p ? { profile: p.file } : {}),
  };
}
