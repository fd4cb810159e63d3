/**
 * Lambda's platform log lines in the text format (START / END / REPORT / INIT_REPORT), the billed-duration
 * arithmetic, and the `LogResult` tail. Field order and tab separators follow real CloudWatch output.
 */
import type { ReportFields } from '../model/invocation.ts';

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
export function initReportLine(
  initDurationMs: number,
  phase: 'init' | 'invoke',
  status: 'timeout' | 'error',
  errorType?: string,
): string {
  const fields = [`INIT_REPORT Init Duration: ${ms2(initDurationMs)} ms`, `Phase: ${phase}`, `Status: ${status}`];
  if (errorType !== undefined) fields.push(`Error Type: ${errorType}`);
  return fields.join('\t');
}

const REPORT_HEAD = /^REPORT RequestId: (\S+)\s*$/;
const MS_VALUE = /^(\d+(?:\.\d+)?) ms$/;
const MB_VALUE = /^(\d+(?:\.\d+)?) MB$/;

function numberField(value: string | undefined, pattern: RegExp): number | undefined {
  if (value === undefined) return undefined;
  const m = pattern.exec(value.trim());
  return m ? Number(m[1]) : undefined;
}

/**
 * Parse a REPORT line (from a log tail or CloudWatch). Fields may come in any order (RIE puts Init Duration first),
 * trailing tabs/newlines are ignored, unknown fields (Restore Duration, XRAY…) are skipped.
 */
export function parseReportLine(line: string): ({ requestId: string } & ReportFields) | undefined {
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
