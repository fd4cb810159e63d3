/**
 * A case's wire activity on one time axis (SVG): one row per exchange — request bar, the wait for the server,
 * response bar — with chunk boundaries as ticks, framing faults, then lanes for log lines and runtime processes.
 * All times share the recording's clock (ms since the environment was created).
 */
import type { LogLine, ProcessRecord } from '../../model/invocation.ts';
import type { ExchangeJson } from '../../model/recording.ts';
import { formatNumber, linearScale, niceTicks } from './charts.ts';
import { esc } from './escape.ts';
import { shortTarget } from './transcript.ts';

export interface TimelineInput {
  exchanges: readonly ExchangeJson[];
  logs?: readonly LogLine[];
  processes?: readonly ProcessRecord[];
  width?: number;
}

export const TIMELINE_COLOURS = {
  request: '#0072B2',
  wait: '#9aa0a6',
  response: '#009E73',
  chunk: '#1d1d1f',
  fault: '#D55E00',
  stdout: '#0072B2',
  stderr: '#D55E00',
  platform: '#6b6b6b',
};

const ROW = 22;
const LABEL_W = 262;
const RIGHT = 16;
const TOP = 16;

function n(v: number): string {
  return String(Math.round(v * 100) / 100);
}

function requestEnd(x: ExchangeJson): number {
  return x.request.timing.bodyDone ?? x.fault?.at ?? x.request.timing.headersDone;
}

export function timelineSvg(input: TimelineInput): string {
  const width = input.width ?? 1000;
  const logs = input.logs ?? [];
  const procs = input.processes ?? [];
  const times: number[] = [];
  for (const x of input.exchanges) {
    times.push(x.request.timing.start, requestEnd(x));
    for (const c of x.request.chunks) times.push(c.at, c.doneAt);
    if (x.response) times.push(x.response.timing.start, x.response.timing.end);
  }
  for (const l of logs) times.push(l.at);
  for (const p of procs) {
    times.push(p.startedAt);
    if (p.firstNextAt !== undefined) times.push(p.firstNextAt);
    if (p.exit) times.push(p.exit.at);
  }
  const finiteTimes = times.filter((t) => Number.isFinite(t));
  if (finiteTimes.length === 0) return '';
  const t0 = Math.min(...finiteTimes);
  let t1 = Math.max(...finiteTimes);
  if (t1 - t0 < 1) t1 = t0 + 1;
  const ticks = niceTicks(t0, t1, 8);
  const x = linearScale(t0, t1, LABEL_W, width - RIGHT);
  const lanes = input.exchanges.length + (logs.length > 0 ? 1 : 0) + (procs.length > 0 ? 1 : 0);
  const height = TOP + lanes * ROW + 34;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="wire timeline"><title>wire timeline</title>`);
  // Grid first, so bars draw over it.
  for (const t of ticks) out.push(`<line x1="${n(x(t))}" y1="${TOP - 4}" x2="${n(x(t))}" y2="${height - 28}" stroke="#eceef1"/><text x="${n(x(t))}" y="${height - 14}" text-anchor="middle" font-size="10" fill="#5f6368">${esc(formatNumber(t))}</text>`);
  out.push(`<text x="${width - RIGHT}" y="${height - 2}" text-anchor="end" font-size="10" fill="#5f6368">ms since the environment started</text>`);
  let row = 0;
  for (const ex of input.exchanges) {
    const cy = TOP + row * ROW + ROW / 2;
    const label = `#${ex.seq} ${ex.request.method} ${shortTarget(ex.request.target)}`;
    // Request ids shortened to their first 8 characters, so `…/response` stays readable in the label column.
    const brief = label.replace(/invocation\/([^/]{8})[^/]{4,}\//, 'invocation/$1…/');
    const clipped = brief.length > 39 ? `${brief.slice(0, 38)}…` : brief;
    out.push(`<g class="exchange-row" data-seq="${ex.seq}"><text x="4" y="${n(cy + 4)}" font-size="11" font-family="ui-monospace,Menlo,Consolas,monospace" fill="#1d1d1f">${esc(clipped)}<title>${esc(label)}</title></text>`);
    const rs = ex.request.timing.start;
    const re = requestEnd(ex);
    out.push(`<rect class="req" x="${n(x(rs))}" y="${n(cy - 6)}" width="${n(Math.max(2, x(re) - x(rs)))}" height="12" fill="${TIMELINE_COLOURS.request}" fill-opacity="0.35" stroke="${TIMELINE_COLOURS.request}"><title>${esc(`request ${ex.request.method} ${ex.request.target}: ${formatNumber(rs)}–${formatNumber(re)} ms, ${ex.request.body.size} bytes`)}</title></rect>`);
    for (const c of ex.request.chunks) {
      out.push(`<line class="chunk" x1="${n(x(c.at))}" y1="${n(cy - 9)}" x2="${n(x(c.at))}" y2="${n(cy + 9)}" stroke="${TIMELINE_COLOURS.chunk}" stroke-width="1.5"><title>${esc(`chunk of ${c.size} bytes at offset ${c.offset}: size line ${formatNumber(c.at)} ms, data done ${formatNumber(c.doneAt)} ms${c.extensions ? `; extensions ${c.extensions}` : ''}`)}</title></line>`);
    }
    if (ex.request.chunks.length > 0 && ex.request.chunks.length <= 12) {
      // Sizes above the ticks, skipping a label that would overlap the previous one.
      let lastX = -Infinity;
      for (const c of ex.request.chunks) {
        if (c.size === 0) continue; // the terminal chunk: its tick says enough
        const cx = x(c.at);
        if (cx - lastX < 26) continue;
        lastX = cx;
        out.push(`<text x="${n(cx)}" y="${n(cy - 10)}" text-anchor="middle" font-size="8.5" fill="#1d1d1f">${c.size}B</text>`);
      }
    }
    if (ex.response) {
      const ss = ex.response.timing.start;
      const se = ex.response.timing.end;
      if (ss > re) out.push(`<line class="wait" x1="${n(x(re))}" y1="${cy}" x2="${n(x(ss))}" y2="${cy}" stroke="${TIMELINE_COLOURS.wait}" stroke-dasharray="3 2"><title>${esc(`server held the request ${formatNumber(ss - re)} ms`)}</title></line>`);
      out.push(`<rect class="resp" x="${n(x(ss))}" y="${n(cy - 6)}" width="${n(Math.max(3, x(se) - x(ss)))}" height="12" fill="${TIMELINE_COLOURS.response}" stroke="${TIMELINE_COLOURS.response}"><title>${esc(`response ${ex.response.status} at ${formatNumber(ss)} ms`)}</title></rect>`);
      out.push(`<text x="${n(Math.min(width - RIGHT - 18, x(se) + 4))}" y="${n(cy + 4)}" font-size="10" fill="#1d1d1f">${ex.response.status}</text>`);
    } else {
      out.push(`<line class="wait" x1="${n(x(re))}" y1="${cy}" x2="${n(x(t1))}" y2="${cy}" stroke="${TIMELINE_COLOURS.wait}" stroke-dasharray="1 3"><title>no response</title></line>`);
    }
    if (ex.fault) out.push(`<path class="fault" d="M${n(x(ex.fault.at) - 5)},${n(cy - 5)}l10,10m0,-10l-10,10" stroke="${TIMELINE_COLOURS.fault}" stroke-width="2.5"><title>${esc(`framing fault ${ex.fault.kind}: ${ex.fault.detail}`)}</title></path>`);
    if (ex.injected) {
      const text = `injected: ${ex.injected}`;
      // Kept inside the frame: a label near the right edge moves left rather than being cut off.
      const at = Math.max(LABEL_W, Math.min(x(rs), width - RIGHT - text.length * 5.2));
      out.push(`<text x="${n(at)}" y="${n(cy + 16)}" font-size="9" fill="${TIMELINE_COLOURS.fault}">${esc(text)}</text>`);
    }
    out.push('</g>');
    row++;
  }
  if (logs.length > 0) {
    const cy = TOP + row * ROW + ROW / 2;
    out.push(`<g class="log-lane"><text x="4" y="${n(cy + 4)}" font-size="11" fill="#1d1d1f">log lines (${logs.length})</text>`);
    for (const l of logs) {
      const off = l.stream === 'stderr' ? 3 : l.stream === 'platform' ? -3 : 0;
      out.push(`<line class="log" x1="${n(x(l.at))}" y1="${n(cy - 7 + off)}" x2="${n(x(l.at))}" y2="${n(cy + 7 + off)}" stroke="${TIMELINE_COLOURS[l.stream]}" stroke-width="1.5"><title>${esc(`${formatNumber(l.at)} ms ${l.stream}: ${l.text.slice(0, 200)}`)}</title></line>`);
    }
    out.push('</g>');
    row++;
  }
  if (procs.length > 0) {
    const cy = TOP + row * ROW + ROW / 2;
    out.push(`<g class="process-lane"><text x="4" y="${n(cy + 4)}" font-size="11" fill="#1d1d1f">runtime processes</text>`);
    for (const p of procs) {
      const end = p.exit?.at ?? t1;
      out.push(`<line x1="${n(x(p.startedAt))}" y1="${cy}" x2="${n(x(end))}" y2="${cy}" stroke="#5f6368" stroke-width="2"/>`);
      out.push(`<circle cx="${n(x(p.startedAt))}" cy="${cy}" r="4" fill="#fff" stroke="#1d1d1f"><title>${esc(`pid ${p.pid ?? '?'} started at ${formatNumber(p.startedAt)} ms${p.spawnFailure ? `; could not start: ${p.spawnFailure.errorMessage}` : ''}`)}</title></circle>`);
      if (p.firstNextAt !== undefined) out.push(`<line x1="${n(x(p.firstNextAt))}" y1="${cy - 6}" x2="${n(x(p.firstNextAt))}" y2="${cy + 6}" stroke="${TIMELINE_COLOURS.request}" stroke-width="2"><title>${esc(`first /next at ${formatNumber(p.firstNextAt)} ms`)}</title></line>`);
    }
    // Exits drawn last: a restart right after an exit must not hide the exit under the new process's start.
    for (const p of procs) {
      if (p.exit) {
        const ex = x(p.exit.at);
        out.push(`<path class="exit" d="M${n(ex)},${cy - 6}l6,6l-6,6l-6,-6z" fill="${p.exit.killed ? '#6b6b6b' : TIMELINE_COLOURS.fault}"><title>${esc(`pid ${p.exit.pid} ${p.exit.killed ? 'killed by the harness' : 'exited'} at ${formatNumber(p.exit.at)} ms: ${p.exit.signal ? `signal ${p.exit.signal}` : `code ${p.exit.code}`}`)}</title></path>`);
      }
    }
    out.push('</g>');
  }
  out.push('</svg>');
  return out.join('');
}
