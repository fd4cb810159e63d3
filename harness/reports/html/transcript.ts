/**
 * A wire exchange as a readable HTTP transcript: request line, headers exactly as sent (original case and order,
 * duplicates kept), body preview, chunk boundaries, trailers, then the response the fake Runtime API gave.
 */
import { STATUS_CODES } from 'node:http';
import type { BodyJson, ExchangeJson, RecordedHeader } from '../../model/recording.ts';
import { esc } from './escape.ts';

/** Characters of a body shown inline; the report keeps at most 4 KB of each body anyway. */
const BODY_PREVIEW_CHARS = 2000;
const HEX_PREVIEW_BYTES = 256;

export function ms(v: number | undefined): string {
  return v === undefined ? '—' : `${v.toFixed(v < 10 ? 2 : 1)} ms`;
}

function headerLines(headers: readonly RecordedHeader[]): string {
  return headers.map((h) => `<span class="hn">${esc(h.name)}</span>: <span class="hv">${esc(h.value)}</span>`).join('\n');
}

function hexDump(base64: string): string {
  const bytes = Buffer.from(base64, 'base64').subarray(0, HEX_PREVIEW_BYTES);
  const rows: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const row = bytes.subarray(i, i + 16);
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    rows.push(`${i.toString(16).padStart(4, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return rows.join('\n');
}

/** The body as text (or a hex dump when it is not UTF-8), with its size and whether the report cut it. */
export function bodyPreview(body: BodyJson): string {
  if (body.size === 0) return '';
  const kept = Buffer.from(body.base64, 'base64').length;
  const note = body.truncated ? ` (first ${kept} of ${body.size} bytes kept)` : '';
  if (body.utf8 === undefined) {
    return `<div class="body-note">${body.size} bytes, not UTF-8${esc(note)}: hex</div><pre class="body hex">${esc(hexDump(body.base64))}</pre>`;
  }
  const text = body.utf8.length > BODY_PREVIEW_CHARS ? `${body.utf8.slice(0, BODY_PREVIEW_CHARS)}…` : body.utf8;
  return `<div class="body-note">${body.size} bytes${esc(note)}</div><pre class="body">${esc(text)}</pre>`;
}

/** A short name for a Runtime API path: `/2018-06-01/runtime/invocation/<id>/response` → `invocation/<id>/response`. */
export function shortTarget(target: string): string {
  return target.replace(/^\/2018-06-01\/runtime\//, '');
}

export function exchangeSummary(x: ExchangeJson): string {
  const status = x.response ? `→ ${x.response.status}` : '→ no response';
  return `#${x.seq} ${x.request.method} ${shortTarget(x.request.target)} ${status}`;
}

export function renderExchange(x: ExchangeJson, open: boolean): string {
  const r = x.request;
  const flags = [
    `connection ${x.connection}`,
    x.kind,
    ...(x.requestId ? [`request ${x.requestId}`] : []),
  ];
  const marks = [
    ...(x.injected ? [`<span class="mark injected">injected: ${esc(x.injected)}</span>`] : []),
    ...(x.fault ? [`<span class="mark fault">framing fault: ${esc(x.fault.kind)}</span>`] : []),
  ].join(' ');
  const parts: string[] = [];
  parts.push(`<div class="dir">request <span class="muted">· started ${ms(r.timing.start)}, headers ${ms(r.timing.headersDone)}, body ${ms(r.timing.bodyDone)}</span></div>`);
  parts.push(`<pre class="http">${esc(`${r.method} ${r.target} ${r.httpVersion}`)}\n${headerLines(r.headers)}</pre>`);
  parts.push(bodyPreview(r.body));
  if (r.chunked) {
    const rows = r.chunks
      .map((c, i) => `<tr><td>${i + 1}</td><td>${c.size}${c.size === 0 ? ' (last)' : ''}</td><td>${c.offset}</td><td>${ms(c.at)}</td><td>${ms(c.doneAt)}</td><td class="mono">${esc(c.extensions)}</td></tr>`)
      .join('');
    parts.push(`<table class="chunks"><caption>chunked body: ${r.chunks.length} chunks</caption><thead><tr><th>#</th><th>bytes</th><th>offset</th><th>size line</th><th>data done</th><th>extensions</th></tr></thead><tbody>${rows}</tbody></table>`);
  }
  if (r.trailers.length > 0) parts.push(`<div class="dir">trailers</div><pre class="http">${headerLines(r.trailers)}</pre>`);
  if (x.fault) parts.push(`<div class="fault-detail">framing fault <b>${esc(x.fault.kind)}</b> at ${ms(x.fault.at)}: <code>${esc(x.fault.detail)}</code></div>`);
  if (x.response) {
    const s = x.response;
    parts.push(`<div class="dir">response <span class="muted">· ${ms(s.timing.start)} → ${ms(s.timing.end)}</span></div>`);
    parts.push(`<pre class="http">${esc(`HTTP/1.1 ${s.status} ${STATUS_CODES[s.status] ?? ''}`)}\n${headerLines(s.headers)}</pre>`);
    parts.push(bodyPreview(s.body));
  } else {
    parts.push('<div class="dir">response</div><div class="muted">none: the connection ended (or the run did) before the server answered</div>');
  }
  return `<details class="exchange"${open ? ' open' : ''}><summary><span class="mono">${esc(exchangeSummary(x))}</span> <span class="muted">${esc(flags.join(' · '))}</span> ${marks}</summary>${parts.join('')}</details>`;
}
