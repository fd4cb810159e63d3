/**
 * The fuzz oracle: a second, deliberately naive reading of RFC 9112 request framing, written apart from
 * `RequestParser` (whole input at once, strings and regexes, no incremental state) so the two can be compared on any
 * byte sequence.
 *
 * It applies the same policy as the parser where RFC 9112 leaves a choice, each choice conforming:
 * - bare LF accepted as a line end in the request line, header and trailer sections (§2.2 MAY); never on chunk
 *   lines or after chunk data (strict CRLF there, where front ends and back ends disagree);
 * - empty lines before a request line are ignored (§2.2 SHOULD);
 * - obs-fold, whitespace before the colon, CTLs (NUL, bare CR, DEL…) in fields → reject (§5.1, §5.2; RFC 9110 §5.5);
 * - both Transfer-Encoding and Content-Length → reject (§6.1 MAY reject; the connection closes either way);
 * - Transfer-Encoding in an HTTP/1.0 request → faulty framing (§6.1 MUST);
 * - Transfer-Encoding other than exactly `chunked` → reject (§6.3 rule 4; other codings are not implemented);
 * - Content-Length: identical duplicates and identical list members accepted, anything else invalid → reject
 *   (§6.3 rule 5, RFC 9110 §8.6); at most 16 digits and ≤ 2^53−1;
 * - chunk-size: 1–16 hex digits ≤ 2^53−1, extensions per §7.1.1 grammar, kept verbatim; line ≤ 4096 bytes;
 * - bytes after a Content-Length body that do not start a request are the body overrunning its declared length;
 * - a limit (header bytes, field count, trailer bytes) is a fault as soon as the byte crossing it arrives: in a
 *   request line an earlier invalid byte wins, a later one loses (so the fault kind never depends on how the bytes
 *   were split across reads).
 */
import type { ParserLimits } from '../../fake-runtime-api/http-parser.ts';
import type { FramingFaultKind, RecordedHeader } from '../../model/recording.ts';

/** A request as the recording shows it, timings left out (they depend on how bytes arrived). */
export interface NormalRequest {
  method: string;
  target: string;
  httpVersion: string;
  headers: RecordedHeader[];
  /** Body bytes as latin1 text (one char per byte) so deep equality shows readable diffs. */
  body: string;
  chunked: boolean;
  chunks: { size: number; extensions: string; offset: number }[];
  trailers: RecordedHeader[];
}

/** What the head of a complete request means for the connection. */
export interface NormalHead {
  keepAlive: boolean;
  expectContinue: boolean;
  declaredTrailers: string[];
}

export interface OracleOutcome {
  /** Requests completed, in order. */
  completed: { request: NormalRequest; head: NormalHead }[];
  /** The framing fault that ended the stream, with the partial request when its head was complete. */
  fault?: { kind: FramingFaultKind; request?: NormalRequest };
  /** The input stopped mid-message without the peer closing (no fault yet). */
  pending: boolean;
}

export const DEFAULT_PARSER_LIMITS: ParserLimits = { maxHeaderBytes: 65536, maxHeaderCount: 256, maxTrailerBytes: 65536 };
const MAX_CHUNK_LINE = 4096;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) ([\x21-\x7e]+) HTTP\/1\.([01])$/;
const QUOTED = '"(?:[\\t \\x21\\x23-\\x5b\\x5d-\\x7e\\x80-\\xff]|\\\\[\\t \\x20-\\x7e\\x80-\\xff])*"';
const TOKEN_SRC = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
const EXT = `[ \\t]*${TOKEN_SRC}(?:[ \\t]*=[ \\t]*(?:${TOKEN_SRC}|${QUOTED}))?`;
const CHUNK_LINE = new RegExp(`^([0-9A-Fa-f]{1,16})(?:[ \\t]*;(${EXT}(?:[ \\t]*;${EXT})*))?$`);

/**
 * Index of the first byte of `line` (text up to, not including, its LF) that no valid request line can have there,
 * or -1. With `terminated`, the LF itself (index line.length) is invalid when the line is not complete by then.
 */
export function firstBadRequestLineByte(line: string, terminated: boolean): number {
  // A CR first can only be the start of an empty line (CRLF), which is skipped: nothing may follow it.
  if (line[0] === '\r') return line.length > 1 ? 1 : -1;
  let i = 0;
  const n = line.length;
  while (i < n && TCHAR.test(line[i]!)) i++;
  if (i === 0) return 0;
  if (i === n) return terminated ? n : -1;
  if (line[i] !== ' ') return i;
  i++;
  const targetStart = i;
  while (i < n && line.charCodeAt(i) > 0x20 && line.charCodeAt(i) < 0x7f) i++;
  if (i === n) return terminated ? n : -1;
  if (i === targetStart || line[i] !== ' ') return i;
  i++;
  const version = 'HTTP/1.';
  for (let k = 0; k < version.length; k++, i++) {
    if (i === n) return terminated ? n : -1;
    if (line[i] !== version[k]) return i;
  }
  if (i === n) return terminated ? n : -1;
  if (line[i] !== '0' && line[i] !== '1') return i;
  i++;
  if (i === n) return -1;
  if (line[i] !== '\r') return i;
  i++;
  if (i === n) return -1;
  return i;
}

function ows(s: string): string {
  return s.replace(/^[ \t]+/, '').replace(/[ \t]+$/, '');
}

function parseField(content: string): RecordedHeader | undefined {
  if (content[0] === ' ' || content[0] === '\t') return undefined;
  const colon = content.indexOf(':');
  if (colon < 0) return undefined;
  const name = content.slice(0, colon);
  const raw = content.slice(colon + 1);
  if (!TOKEN.test(name) || !FIELD_VALUE.test(raw)) return undefined;
  return { name, value: ows(raw) };
}

function elements(values: string[]): string[] {
  return values.flatMap((v) => v.split(',').map(ows)).filter((e) => e !== '');
}

type Framing = { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' } | { fault: FramingFaultKind };

function framingOf(headers: RecordedHeader[], version: string): Framing {
  const named = (n: string) => headers.filter((h) => h.name.toLowerCase() === n).map((h) => h.value);
  const cl = named('content-length');
  const te = named('transfer-encoding');
  if (cl.length > 0 && te.length > 0) return { fault: 'conflicting-framing' };
  if (te.length > 0) {
    if (version === '1.0') return { fault: 'unsupported-transfer-encoding' };
    const codings = elements(te);
    return codings.length === 1 && codings[0]!.toLowerCase() === 'chunked'
      ? { kind: 'chunked' }
      : { fault: 'unsupported-transfer-encoding' };
  }
  if (cl.length === 0) return { kind: 'none' };
  let length: number | undefined;
  for (const field of cl) {
    for (const member of field.split(',').map(ows)) {
      if (!/^[0-9]{1,16}$/.test(member) || Number(member) > Number.MAX_SAFE_INTEGER) return { fault: 'bad-content-length' };
      if (length !== undefined && Number(member) !== length) return { fault: 'conflicting-framing' };
      length = Number(member);
    }
  }
  return { kind: 'length', length: length! };
}

/** Parse `input` as one connection's byte stream; `closed`: the peer closed after the last byte. */
export function referenceParse(input: Buffer, closed: boolean, limits: ParserLimits = DEFAULT_PARSER_LIMITS): OracleOutcome {
  const s = input.toString('latin1');
  const out: OracleOutcome = { completed: [], pending: false };
  let pos = 0;
  let afterLength = false;
  const fail = (kind: FramingFaultKind, request?: NormalRequest): OracleOutcome => {
    out.fault = request ? { kind, request } : { kind };
    return out;
  };
  const lineFault = (kind: FramingFaultKind) => fail(afterLength ? 'body-exceeds-content-length' : kind);
  const unfinished = (kind: FramingFaultKind, request?: NormalRequest): OracleOutcome => {
    if (closed) return fail(kind, request);
    out.pending = true;
    return out;
  };

  for (;;) {
    // --- request line (empty lines before it skipped) ---
    const lf = s.indexOf('\n', pos);
    if (lf < 0) {
      const rest = s.slice(pos);
      if (rest === '') return out;
      const bad = firstBadRequestLineByte(rest, false);
      if (bad >= 0 && bad < limits.maxHeaderBytes) return lineFault('bad-request-line');
      if (rest.length > limits.maxHeaderBytes) return lineFault('headers-too-large');
      if (rest === '\r') return out;
      return unfinished(afterLength ? 'body-exceeds-content-length' : 'closed-mid-head');
    }
    const rawLine = s.slice(pos, lf);
    const content = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (content === '') {
      pos = lf + 1;
      continue;
    }
    const lineBytes = rawLine.length + 1;
    const bad = firstBadRequestLineByte(rawLine, true);
    if (bad >= 0 && bad < limits.maxHeaderBytes) return lineFault('bad-request-line');
    if (lineBytes > limits.maxHeaderBytes) return lineFault('headers-too-large');
    const m = REQUEST_LINE.exec(content);
    if (!m) return lineFault('bad-request-line'); // unreachable when firstBadRequestLineByte is right
    afterLength = false;
    pos = lf + 1;
    let headBytes = lineBytes;
    const headers: RecordedHeader[] = [];
    const request: NormalRequest = {
      method: m[1]!,
      target: m[2]!,
      httpVersion: `1.${m[3]}`,
      headers,
      body: '',
      chunked: false,
      chunks: [],
      trailers: [],
    };

    // --- header section ---
    for (;;) {
      const hl = s.indexOf('\n', pos);
      if (hl < 0) {
        if (headBytes + (s.length - pos) > limits.maxHeaderBytes) return fail('headers-too-large');
        return unfinished('closed-mid-head');
      }
      headBytes += hl - pos + 1;
      if (headBytes > limits.maxHeaderBytes) return fail('headers-too-large');
      const line = s.slice(pos, hl);
      pos = hl + 1;
      const c = line.endsWith('\r') ? line.slice(0, -1) : line;
      if (c === '') break;
      const field = parseField(c);
      if (!field) return fail('bad-header');
      if (headers.length >= limits.maxHeaderCount) return fail('headers-too-large');
      headers.push(field);
    }

    const framing = framingOf(headers, request.httpVersion);
    if ('fault' in framing) return fail(framing.fault, request);
    const connection = elements(headers.filter((h) => h.name.toLowerCase() === 'connection').map((h) => h.value)).map((t) =>
      t.toLowerCase(),
    );
    const http11 = request.httpVersion === '1.1';
    const head: NormalHead = {
      keepAlive: !connection.includes('close') && (http11 || connection.includes('keep-alive')),
      expectContinue:
        http11 &&
        elements(headers.filter((h) => h.name.toLowerCase() === 'expect').map((h) => h.value)).some(
          (e) => e.toLowerCase() === '100-continue',
        ),
      declaredTrailers: elements(headers.filter((h) => h.name.toLowerCase() === 'trailer').map((h) => h.value)),
    };

    if (framing.kind === 'length') {
      const available = Math.min(framing.length, s.length - pos);
      request.body = s.slice(pos, pos + available);
      pos += available;
      if (available < framing.length) return unfinished('closed-mid-body', request);
      afterLength = true;
    } else if (framing.kind === 'chunked') {
      request.chunked = true;
      const finished = readChunked(s, pos, request, limits);
      if ('fault' in finished) {
        if (finished.fault === 'unfinished') return unfinished('missing-terminal-chunk', request);
        return fail(finished.fault, request);
      }
      pos = finished.pos;
    }
    out.completed.push({ request, head });
  }
}

/** Chunked body from `pos`: its end, a fault, or 'unfinished' when the input stops inside it. */
function readChunked(
  s: string,
  start: number,
  request: NormalRequest,
  limits: ParserLimits,
): { pos: number } | { fault: FramingFaultKind | 'unfinished' } {
  let pos = start;
  for (;;) {
    const lf = s.indexOf('\n', pos);
    if (lf < 0) return { fault: s.length - pos > MAX_CHUNK_LINE + 1 ? 'bad-chunk-size' : 'unfinished' };
    const raw = s.slice(pos, lf);
    pos = lf + 1;
    const crlf = raw.endsWith('\r');
    const content = crlf ? raw.slice(0, -1) : raw;
    if (content.length > MAX_CHUNK_LINE || !crlf) return { fault: 'bad-chunk-size' };
    const m = CHUNK_LINE.exec(content);
    const size = m ? parseInt(m[1]!, 16) : NaN;
    if (!m || !(size <= Number.MAX_SAFE_INTEGER)) return { fault: 'bad-chunk-size' };
    request.chunks.push({ size, extensions: m[2] ?? '', offset: request.body.length });
    if (size === 0) break;
    const available = Math.min(size, s.length - pos);
    request.body += s.slice(pos, pos + available);
    pos += available;
    if (available < size) return { fault: 'unfinished' };
    for (const want of ['\r', '\n']) {
      if (pos === s.length) return { fault: 'unfinished' };
      if (s[pos] !== want) return { fault: 'bad-chunk-terminator' };
      pos++;
    }
  }
  // --- trailer section ---
  let trailerBytes = 0;
  for (;;) {
    const lf = s.indexOf('\n', pos);
    if (lf < 0) return { fault: trailerBytes + (s.length - pos) > limits.maxTrailerBytes ? 'bad-trailer' : 'unfinished' };
    trailerBytes += lf - pos + 1;
    if (trailerBytes > limits.maxTrailerBytes) return { fault: 'bad-trailer' };
    const line = s.slice(pos, lf);
    pos = lf + 1;
    const c = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (c === '') return { pos };
    const field = parseField(c);
    if (!field || request.trailers.length >= limits.maxHeaderCount) return { fault: 'bad-trailer' };
    request.trailers.push(field);
  }
}
