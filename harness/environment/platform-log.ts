/**
 * Lambda's platform log lines in either log format — text (START / END / REPORT / INIT_REPORT) or the JSON
 * `platform.*` records of advanced logging controls — parsed back in both, the billed-duration arithmetic, and the
 * `LogResult` tail. Field order and tab separators follow real CloudWatch output; the JSON records follow the
 * Telemetry API schema and a captured CloudWatch export (modern-contract.md §4.1).
 */
import type { ReportFields } from '../model/invocation.ts';

/** The function's log format (LoggingConfig.LogFormat, seen by the runtime as AWS_LAMBDA_LOG_FORMAT). */
export type LogFormat = 'text' | 'json';

/** The log format a function's environment selects: `JSON` in any case is JSON, anything else is text. */
export function logFormatOf(environment: Readonly<Record<string, string>>): LogFormat {
  return environment['AWS_LAMBDA_LOG_FORMAT']?.toUpperCase() === 'JSON' ? 'json' : 'text';
}

/** `LogResult` is the last 4 KB of the execution log. */
export const LOG_TAIL_BYTES = 4096;

export function startLine(requestId: string, version: string): string {
  return `START RequestId: ${requestId} Version: ${version}`;
}

export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}`;
}

function ms2(value: number): string {
  return value.toFixed(2);
}

/** The REPORT line. Real Lambda ends the line with a tab unless a Status/Error Type field closes it. */
export function reportLine(requestId: string, r: ReportFields): string {
  let line =
    `REPORT RequestId: ${requestId}\tDuration: ${ms2(r.durationMs)} ms\tBilled Duration: ${r.billedDurationMs} ms\t` +
    `Memory Size: ${r.memorySizeMb} MB\tMax Memory Used: ${r.maxMemoryUsedMb} MB\t`;
  if (r.initDurationMs !== undefined) line += `Init Duration: ${ms2(r.initDurationMs)} ms\t`;
  // Observed failure lines end `...\tStatus: timeout` / `...\tStatus: error\tError Type: X`, without a final tab.
  const tail: string[] = [];
  if (r.status !== undefined) tail.push(`Status: ${r.status}`);
  if (r.errorType !== undefined) tail.push(`Error Type: ${r.errorType}`);
  return line + tail.join('\t');
}

/** `INIT_REPORT Init Duration: 10008.84 ms\tPhase: init\tStatus: timeout[\tError Type: X]` (as observed). */
export function initReportLine(initDurationMs: number, phase: 'init' | 'invoke', status: 'timeout' | 'error', errorType?: string): string {
  const fields = [`INIT_REPORT Init Duration: ${ms2(initDurationMs)} ms`, `Phase: ${phase}`, `Status: ${status}`];
  if (errorType !== undefined) fields.push(`Error Type: ${errorType}`);
  return fields.join('\t');
}

/**
 * JSON platform records: `{"time","type":"platform.*","record":{…}}`. In JSON format Lambda writes no END line
 * (no `platform.end` or `platform.runtimeDone` in the captured export), so `end` is absent.
 */
function record(at: Date, type: string, body: Record<string, unknown>): string {
  return JSON.stringify({ time: at.toISOString(), type, record: body });
}

export function startRecord(at: Date, requestId: string, version: string): string {
  return record(at, 'platform.start', { requestId, version });
}

/** `platform.report`: metrics in ms / MB; status success | timeout | error (Telemetry API `platform.report`). */
export function reportRecord(at: Date, requestId: string, r: ReportFields): string {
  const metrics: Record<string, number> = {
    durationMs: round3(r.durationMs),
    billedDurationMs: r.billedDurationMs,
    memorySizeMB: r.memorySizeMb,
    maxMemoryUsedMB: r.maxMemoryUsedMb,
  };
  if (r.initDurationMs !== undefined) metrics['initDurationMs'] = round3(r.initDurationMs);
  return record(at, 'platform.report', {
    requestId,
    metrics,
    status: r.status ?? 'success',
    ...(r.errorType !== undefined ? { errorType: r.errorType } : {}),
  });
}

/** `platform.initReport` of a failed init (the text format's INIT_REPORT line). */
export function initReportRecord(
  at: Date,
  initDurationMs: number,
  phase: 'init' | 'invoke',
  status: 'timeout' | 'error',
  errorType?: string,
): string {
  return record(at, 'platform.initReport', {
    initializationType: 'on-demand',
    phase,
    status,
    ...(errorType !== undefined ? { errorType } : {}),
    metrics: { durationMs: round3(initDurationMs) },
  });
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** The platform lines of one log format; `end` is undefined where the format has no END line. */
export interface PlatformLines {
  start(requestId: string, version: string): string;
  end(requestId: string): string | undefined;
  report(requestId: string, r: ReportFields): string;
  initReport(initDurationMs: number, phase: 'init' | 'invoke', status: 'timeout' | 'error', errorType?: string): string;
  /** Whether `text` is this format's START of `requestId`. */
  isStart(text: string, requestId: string): boolean;
}

const TEXT_LINES: PlatformLines = {
  start: startLine,
  end: endLine,
  report: reportLine,
  initReport: initReportLine,
  isStart: (text, requestId) => text.startsWith(`START RequestId: ${requestId} `),
};

/** The writer for `format`; JSON records are stamped with `now()` (wall-clock time, as CloudWatch's `time`). */
export function platformLines(format: LogFormat, now: () => Date = () => new Date()): PlatformLines {
  if (format === 'text') return TEXT_LINES;
  return {
    start: (requestId, version) => startRecord(now(), requestId, version),
    end: () => undefined,
    report: (requestId, r) => reportRecord(now(), requestId, r),
    initReport: (d, phase, status, errorType) => initReportRecord(now(), d, phase, status, errorType),
    isStart: (text, requestId) => text.includes('"type":"platform.start"') && text.includes(`"requestId":${JSON.stringify(requestId)}`),
  };
}

/** A JSON platform record's type and record, or undefined for any other line. */
export function parsePlatformRecord(line: string): { type: string; record: Record<string, unknown> } | undefined {
  const t = line.trim();
  if (!t.startsWith('{') || !t.includes('"platform.')) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch {
    return undefined;
  }
  if (!isObject(v) || typeof v['type'] !== 'string' || !v['type'].startsWith('platform.') || !isObject(v['record'])) return undefined;
  return { type: v['type'], record: v['record'] };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** REPORT fields from a `platform.report` record (keys as the Telemetry API names them: `memorySizeMB`, …). */
function parseReportRecord(line: string): ({ requestId: string } & ReportFields) | undefined {
  const p = parsePlatformRecord(line);
  if (!p || p.type !== 'platform.report' || typeof p.record['requestId'] !== 'string') return undefined;
  const m = p.record['metrics'];
  if (!isObject(m)) return undefined;
  const durationMs = num(m['durationMs']);
  const billed = num(m['billedDurationMs']);
  const memorySizeMb = num(m['memorySizeMB']);
  const maxMemoryUsedMb = num(m['maxMemoryUsedMB']);
  if (durationMs === undefined || billed === undefined || memorySizeMb === undefined || maxMemoryUsedMb === undefined) return undefined;
  const initDurationMs = num(m['initDurationMs']);
  const status = p.record['status'];
  const errorType = p.record['errorType'];
  return {
    requestId: p.record['requestId'],
    durationMs,
    billedDurationMs: billed,
    memorySizeMb,
    maxMemoryUsedMb,
    ...(initDurationMs !== undefined ? { initDurationMs } : {}),
    ...(status === 'timeout' || status === 'error' ? { status } : {}),
    ...(typeof errorType === 'string' && errorType !== '' ? { errorType } : {}),
  };
}

/** Whether a line is a failed init report in either format (INIT_REPORT … Status: error|timeout, or `platform.initReport`). */
export function isFailedInitReport(line: string): boolean {
  if (line.startsWith('INIT_REPORT')) return /Status: (error|timeout)/.test(line);
  const p = parsePlatformRecord(line);
  return p?.type === 'platform.initReport' && (p.record['status'] === 'error' || p.record['status'] === 'timeout');
}

/** Whether a line is written by the platform (either format), not by the function. */
export function isPlatformLine(line: string): boolean {
  return TEXT_PLATFORM_LINE.test(line) || parsePlatformRecord(line) !== undefined;
}

const TEXT_PLATFORM_LINE = /^(START|END|REPORT|INIT_START|INIT_REPORT|EXTENSION|TELEMETRY|RESTORE_START|RESTORE_REPORT) /;

const REPORT_HEAD = /^REPORT RequestId: (\S+)\s*$/;
const MS_VALUE = /^(\d+(?:\.\d+)?) ms$/;
const MB_VALUE = /^(\d+(?:\.\d+)?) MB$/;

function numberField(value: string | undefined, pattern: RegExp): number | undefined {
  if (value === undefined) return undefined;
  const m = pattern.exec(value.trim());
  return m ? Number(m[1]) : undefined;
}

/**
 * Parse a REPORT line (from a log tail or CloudWatch) in either format. Text fields may come in any order (RIE puts
 * Init Duration first), trailing tabs/newlines are ignored, unknown fields (Restore Duration, XRAY…) are skipped.
 */
export function parseReportLine(line: string): ({ requestId: string } & ReportFields) | undefined {
  if (line.startsWith('{')) return parseReportRecord(line);
  const parts = line.replace(/[\r\n]+$/, '').split('\t');
  const head = REPORT_HEAD.exec(parts[0] ?? '');
  if (!head) return undefined;
  const fields = new Map<string, string>();
  for (const part of parts.slice(1)) {
    const colon = part.indexOf(': ');
    if (colon <= 0) continue;
    fields.set(part.slice(0, colon).trim(), part.slice(colon + 2).trim());
  }
  const durationMs = numberField(fields.get('Duration'), MS_VALUE);
  const billedDurationMs = numberField(fields.get('Billed Duration'), MS_VALUE);
  const memorySizeMb = numberField(fields.get('Memory Size'), MB_VALUE);
  const maxMemoryUsedMb = numberField(fields.get('Max Memory Used'), MB_VALUE);
  if (durationMs === undefined || billedDurationMs === undefined || memorySizeMb === undefined || maxMemoryUsedMb === undefined) {
    return undefined;
  }
  const initDurationMs = numberField(fields.get('Init Duration'), MS_VALUE);
  const status = fields.get('Status');
  const errorType = fields.get('Error Type') ?? fields.get('ErrorType');
  return {
    requestId: head[1]!,
    durationMs,
    billedDurationMs,
    memorySizeMb,
    maxMemoryUsedMb,
    ...(initDurationMs !== undefined ? { initDurationMs } : {}),
    ...(status === 'timeout' || status === 'error' ? { status } : {}),
    ...(errorType !== undefined && errorType !== '' ? { errorType } : {}),
  };
}

/** Billed Duration = ceil(Duration + Init Duration) in ms (init-phase billing; matches every documented example). */
export function billedDurationMs(durationMs: number, initDurationMs?: number): number {
  const total = durationMs + (initDurationMs ?? 0);
  // Drop sub-nanosecond float noise so a whole-millisecond sum is never billed one ms extra.
  return Math.ceil(Number(total.toFixed(6)));
}

/** LogResult: base64 of the LAST `maxBytes` bytes of the log text (lines joined with '\n', trailing '\n'), cut on a UTF-8 boundary. */
export function logTail(lines: readonly string[], maxBytes: number = LOG_TAIL_BYTES): string {
  if (lines.length === 0) return '';
  const bytes = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
  let start = Math.max(0, bytes.length - maxBytes);
  // Skip UTF-8 continuation bytes (10xxxxxx) so the tail never starts inside a character. Bounded: at most 3 steps.
  while (start < bytes.length && (bytes[start]! & 0xc0) === 0x80) start++;
  return bytes.subarray(start).toString('base64');
}
