/**
 * Result-level outcomes that can be compared across runs and targets: a payload with the values that differ on
 * every invocation or between accounts (request ids, deadlines, ARNs, trace ids, pids, stack traces) masked, and
 * the REPORT fields that were present.
 */
import { createHash } from 'node:crypto';
import type { ReportFields } from '../model/invocation.ts';

/** Keys whose values vary per invocation, process or account (probe context, error documents). */
const VOLATILE_KEYS = new Set([
  'requestId',
  'awsRequestId',
  'deadlineMs',
  'remainingMs',
  'functionArn',
  'invokedFunctionArn',
  'traceId',
  'pid',
  'invocation',
  'env',
  'stackTrace',
  'logGroupName',
  'logStreamName',
]);

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const ARN = /arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_:$-]+/g;
const TRACE = /Root=1-[0-9a-f]{8}-[0-9a-f]{24}[^"\s]*/g;

function maskText(s: string): string {
  return s.replace(ARN, '<arn>').replace(TRACE, '<trace>').replace(UUID, '<uuid>');
}

function maskValue(v: unknown): unknown {
  if (typeof v === 'string') return maskText(v);
  if (Array.isArray(v)) return v.map(maskValue);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    // Sorted keys: two runtimes serialising the same object in another key order give the same outcome.
    for (const k of Object.keys(v).sort()) out[k] = VOLATILE_KEYS.has(k) ? '<volatile>' : maskValue((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** The payload as compared: canonical masked JSON when it parses, masked text otherwise. */
export function normalisePayload(payload: Buffer): string {
  const text = payload.toString('utf8');
  try {
    return JSON.stringify(maskValue(JSON.parse(text) as unknown));
  } catch {
    return maskText(text);
  }
}

/** Short digest of the normalised payload. */
export function payloadDigest(payload: Buffer): string {
  return createHash('sha256').update(normalisePayload(payload)).digest('hex').slice(0, 16);
}

/** Names of the REPORT fields present, in REPORT-line order. */
export function reportFieldsPresent(r: ReportFields): string[] {
  const present: string[] = [];
  if (r.memorySizeMb > 0 || r.billedDurationMs > 0) present.push('Duration', 'Billed Duration', 'Memory Size', 'Max Memory Used');
  if (r.initDurationMs !== undefined) present.push('Init Duration');
  if (r.status !== undefined) present.push('Status');
  if (r.errorType !== undefined) present.push('Error Type');
  return present;
}
