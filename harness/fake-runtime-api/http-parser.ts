/**
 * Incremental HTTP/1.1 request parser over raw socket bytes (RFC 9112).
 *
 * `node:http` hides chunk boundaries, trailers and arrival times; the fake Runtime API must record them exactly as
 * they came off the socket, so it feeds `net.Socket` data straight into this parser. It is strict where laxity would
 * hide a runtime's framing bug, and it never buffers more than one line (bounded by the limits) or one body piece.
 *
 * Hot-path notes: line ends are found with `Buffer.indexOf`; a line is decoded once (latin1, so obs-text bytes
 * survive) and validated with anchored regexes over that one line; body bytes are handed on as `subarray` views.
 * The clock is read once per `push()`: every byte of one push arrived at the same moment.
 */
import type { FramingFault, FramingFaultKind, RecordedChunk, RecordedHeader, RecordedRequest } from '../model/recording.ts';

export interface ParserLimits {
  /** Max bytes of request line + header section (default 65536). Over it: fault 'headers-too-large'. */
  maxHeaderBytes: number;
  /** Max header fields (default 256), same fault. */
  maxHeaderCount: number;
  /** Max bytes of the trailer section (default 65536): 'bad-trailer' beyond. */
  maxTrailerBytes: number;
}

export type BodyFraming = { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' };

export interface RequestHead {
  method: string;
  target: string;
  httpVersion: string; // '1.1' or '1.0'
  headers: RecordedHeader[]; // original case and order, duplicates kept, values with surrounding OWS trimmed
  framing: BodyFraming;
  keepAlive: boolean; // HTTP/1.1 default true unless `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`
  expectContinue: boolean; // `Expect: 100-continue` (case-insensitive) — the server will write `100 Continue`
  declaredTrailers: string[]; // names from the `Trailer:` header(s), split on commas, trimmed
}

export interface ParserEvents {
  /** Header section complete. `request` is the RecordedRequest being built (when recording) — the same object is later completed. */
  onHead(head: RequestHead, request: RecordedRequest | undefined, at: number): void;
  /** A chunk-size line was parsed (also for the terminal 0 chunk). `doneAt` is updated in place when the chunk's data is complete. */
  onChunk?(chunk: RecordedChunk): void;
  /** De-chunked body bytes, emitted as soon as they arrive (a chunk may be delivered in several pieces). */
  onBody(data: Buffer, at: number): void;
  /** Trailer section after the terminal chunk (only emitted for chunked bodies, possibly empty array). */
  onTrailers?(trailers: RecordedHeader[], at: number): void;
  /** The message is complete. When recording, `request` has body, chunks, trailers and timing filled in. */
  onComplete(request: RecordedRequest | undefined, at: number): void;
  /** A framing fault. The parser is dead afterwards: further push() calls are ignored. `request` is the partially-built request if the head was complete (body so far, chunks so far), else undefined. */
  onFault(fault: FramingFault, request: RecordedRequest | undefined): void;
}

const DEFAULT_LIMITS: ParserLimits = { maxHeaderBytes: 65536, maxHeaderCount: 256, maxTrailerBytes: 65536 };
/** A chunk-size line (without CRLF) longer than this is refused: real senders write a few hex digits. */
const MAX_CHUNK_LINE = 4096;

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const EMPTY = Buffer.alloc(0);

// Parser states. Plain numbers (not a const enum) so esbuild/isolatedModules compile them trivially.
const ST_REQUEST_LINE = 0;
const ST_HEADERS = 1;
const ST_LENGTH_BODY = 2;
const ST_CHUNK_SIZE = 3;
const ST_CHUNK_DATA = 4;
const ST_CHUNK_CR = 5;
const ST_CHUNK_LF = 6;
const ST_TRAILERS = 7;

// Phases of the incremental request-line prefix check.
const RL_METHOD = 0;
const RL_TARGET = 1;
const RL_VERSION = 2;
const RL_CR = 3;

const TCHARS = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const TCHAR = new Uint8Array(256);
for (let i = 0; i < TCHARS.length; i++) TCHAR[TCHARS.charCodeAt(i)] = 1;
const HTTP1_PREFIX = Buffer.from('HTTP/1.', 'latin1');

const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Request targets are URI text: visible ASCII only (raw bytes >= 0x80 are not valid URI characters either). */
const TARGET_RE = /^[\x21-\x7e]+$/;
/** field-value: VCHAR / obs-text / SP / HTAB; every other control (NUL, CR, LF, DEL…) is refused. */
const FIELD_VALUE_RE = /^[\t\x20-\x7e\x80-\xff]*$/;
const DIGITS_RE = /^[0-9]+$/;
const TOKEN_SRC = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
const QUOTED_SRC = '"(?:[\\t \\x21\\x23-\\x5b\\x5d-\\x7e\\x80-\\xff]|\\\\[\\t \\x20-\\x7e\\x80-\\xff])*"';
const EXT_SRC = `[ \\t]*${TOKEN_SRC}(?:[ \\t]*=[ \\t]*(?:${TOKEN_SRC}|${QUOTED_SRC}))?`;
/**
 * RFC 9112 §7.1: chunk-size [ chunk-ext ], chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] ).
 * Group 2 is everything after the first `;`, kept verbatim. No trailing whitespace is allowed (the grammar has none).
 */
const CHUNK_LINE_RE = new RegExp(`^([0-9A-Fa-f]{1,16})(?:[ \\t]*;(${EXT_SRC}(?:[ \\t]*;${EXT_SRC})*))?$`);

/** Offending text for fault details: quoted, controls and non-ASCII escaped, cut to about 80 characters. */
function quote(text: string): string {
  const cut = text.length > 80 ? text.slice(0, 80) : text;
  const escaped = cut.replace(/["\\\x00-\x1f\x7f-\xff]/g, (c) =>
    c === '"' || c === '\\' ? `\\${c}` : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  return `"${escaped}"${text.length > 80 ? '…' : ''}`;
}

function quoteBytes(buf: Buffer, start: number, end: number): string {
  return quote(buf.toString('latin1', start, Math.min(end, start + 81)));
}

/** Strip OWS (SP / HTAB only: `String.prototype.trim` would also eat NBSP, a legal obs-text byte). */
function trimOws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 0x20 || s.charCodeAt(a) === 0x09)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 0x20 || s.charCodeAt(b - 1) === 0x09)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Elements of a comma-separated list field, OWS-trimmed, empty elements dropped (RFC 9110 §5.6.1). */
function listElements(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    for (const part of v.split(',')) {
      const t = trimOws(part);
      if (t !== '') out.push(t);
    }
  }
  return out;
}

/** Parse one field line (already stripped of its line end). Returns the header or a fault detail. */
function parseFieldLine(line: string): RecordedHeader | string {
  const first = line.charCodeAt(0);
  // RFC 9112 §5.2: obs-fold is obsolete; we reject rather than unfold (also covers whitespace before the first field).
  if (first === 0x20 || first === 0x09) return `obsolete line folding (line starts with whitespace): ${quote(line)}`;
  const colon = line.indexOf(':');
  if (colon < 0) return `field line without a colon: ${quote(line)}`;
  const name = line.slice(0, colon);
  if (!TOKEN_RE.test(name)) {
    const last = name.charCodeAt(name.length - 1);
    // RFC 9112 §5.1: whitespace between name and colon MUST be rejected (a classic smuggling vector).
    if (last === 0x20 || last === 0x09) return `whitespace between field name and colon: ${quote(line)}`;
    return `invalid field name ${quote(name)}`;
  }
  const raw = line.slice(colon + 1);
  if (!FIELD_VALUE_RE.test(raw)) return `invalid character in value of ${name}: ${quote(raw)}`;
  return { name, value: trimOws(raw) };
}

type FramingResult = { framing: BodyFraming } | { kind: FramingFaultKind; detail: string };

/** RFC 9112 §6: decide how the body is framed from the Content-Length / Transfer-Encoding fields. */
function decideFraming(contentLength: string[] | undefined, transferEncoding: string[] | undefined, httpVersion: string): FramingResult {
  // Checked first: with both present a front end and we could disagree on the body, whatever the values are.
  if (transferEncoding && contentLength) {
    return {
      kind: 'conflicting-framing',
      detail: `both Transfer-Encoding ${quote(transferEncoding.join(', '))} and Content-Length ${quote(contentLength.join(', '))}`,
    };
  }
  if (transferEncoding && httpVersion === '1.0') {
    // RFC 9112 §6.1: a server MUST treat Transfer-Encoding in an HTTP/1.0 message as faulty framing (a 1.0 hop in
    // front would frame the body differently: a smuggling vector).
    return {
      kind: 'unsupported-transfer-encoding',
      detail: `Transfer-Encoding ${quote(transferEncoding.join(', '))} in an HTTP/1.0 request`,
    };
  }
  if (transferEncoding) {
    const codings = listElements(transferEncoding);
    if (codings.length === 1 && codings[0]!.toLowerCase() === 'chunked') return { framing: { kind: 'chunked' } };
    // Anything else: another coding, chunked applied twice, chunked not last, parameters, or an empty value.
    return { kind: 'unsupported-transfer-encoding', detail: `unsupported Transfer-Encoding ${quote(transferEncoding.join(', '))}` };
  }
  if (contentLength) {
    let length = -1;
    for (const field of contentLength) {
      // A list of identical values is tolerated (RFC 9110 §8.6); empty elements are not, being a broken length.
      for (const part of field.split(',')) {
        const v = trimOws(part);
        if (!DIGITS_RE.test(v) || v.length > 16 || Number(v) > Number.MAX_SAFE_INTEGER) {
          return { kind: 'bad-content-length', detail: `invalid Content-Length ${quote(field)}` };
        }
        const n = Number(v);
        if (length >= 0 && n !== length) {
          return { kind: 'conflicting-framing', detail: `differing Content-Length values ${quote(contentLength.join(', '))}` };
        }
        length = n;
      }
    }
    return { framing: { kind: 'length', length } };
  }
  return { framing: { kind: 'none' } };
}

export class RequestParser {
  private readonly events: ParserEvents;
  private readonly clock: () => number;
  private readonly record: boolean;
  private readonly limits: ParserLimits;

  private state = ST_REQUEST_LINE;
  private dead = false;
  private ended = false;

  /** The current line when it spans pushes (grown by doubling, so tiny pushes stay linear). */
  private lineBuf: Buffer = EMPTY;
  private lineLen = 0;
  private rlPhase = RL_METHOD;
  private rlCount = 0;

  /** The last complete message was Content-Length framed: garbage now means the body was longer than declared. */
  private afterLengthBody = false;

  // The message in progress.
  private msgStart = 0;
  private headBytes = 0;
  private method = '';
  private target = '';
  private httpVersion = '';
  private headers: RecordedHeader[] = [];
  private framing: BodyFraming = { kind: 'none' };
  private request: RecordedRequest | undefined;
  private remaining = 0;
  private bodyLen = 0;
  private bodyPieces: Buffer[] = [];
  private chunk: RecordedChunk | undefined;
  private trailers: RecordedHeader[] = [];
  private trailerBytes = 0;

  // Re-entrancy: an event handler that pushes or ends gets queued behind the bytes being parsed.
  private busy = false;
  private readonly queued: Buffer[] = [];
  private endQueued = false;

  constructor(events: ParserEvents, clock: () => number, options?: { record?: boolean; limits?: Partial<ParserLimits> }) {
    this.events = events;
    this.clock = clock;
    this.record = options?.record ?? true;
    this.limits = { ...DEFAULT_LIMITS, ...options?.limits };
  }

  /** True when no message is in progress (between messages). */
  get idle(): boolean {
    return !this.dead && this.state === ST_REQUEST_LINE && !this.requestLineStarted();
  }

  /** True after a fault. */
  get failed(): boolean {
    return this.dead;
  }

  /** Feed bytes as they come off the socket. Pipelined requests in one buffer are parsed one after another. */
  push(data: Buffer): void {
    if (this.dead || this.ended || this.endQueued || data.length === 0) return;
    if (this.busy) {
      this.queued.push(data);
      return;
    }
    this.busy = true;
    try {
      this.parse(data);
      for (let next = this.queued.shift(); next !== undefined && !this.dead; next = this.queued.shift()) this.parse(next);
    } finally {
      this.busy = false;
      this.queued.length = 0;
    }
    if (this.endQueued) {
      this.endQueued = false;
      this.end();
    }
  }

  /** The peer closed (FIN). Mid-message this is a fault; between messages it is a clean close (no event). */
  end(): void {
    if (this.dead || this.ended) return;
    if (this.busy) {
      this.endQueued = true;
      return;
    }
    this.ended = true;
    const now = this.clock();
    switch (this.state) {
      case ST_REQUEST_LINE:
        if (!this.requestLineStarted()) return;
        // Bytes after a Content-Length body that never became a request are the body overrunning its length.
        if (this.afterLengthBody) {
          this.fault(
            'body-exceeds-content-length',
            `connection closed after unframed bytes past the Content-Length body: ${quoteBytes(this.lineBuf, 0, this.lineLen)}`,
            now,
          );
        } else {
          this.fault('closed-mid-head', `connection closed inside the request line: ${quoteBytes(this.lineBuf, 0, this.lineLen)}`, now);
        }
        return;
      case ST_HEADERS:
        this.fault(
          'closed-mid-head',
          `connection closed inside the header section of ${this.method} ${quote(this.target)} after ${this.headers.length} field(s)`,
          now,
        );
        return;
      case ST_LENGTH_BODY: {
        const length = this.framing.kind === 'length' ? this.framing.length : 0;
        this.fault('closed-mid-body', `connection closed after ${this.bodyLen} of ${length} Content-Length body bytes`, now);
        return;
      }
      default:
        this.fault(
          'missing-terminal-chunk',
          this.state === ST_TRAILERS
            ? 'connection closed inside the trailer section (no empty line after the terminal chunk)'
            : `connection closed after ${this.bodyLen} chunked body bytes without the terminal 0 chunk`,
          now,
        );
    }
  }

  // --- parsing ------------------------------------------------------------------------------------------------

  private parse(data: Buffer): void {
    const now = this.clock();
    const len = data.length;
    let pos = 0;
    while (pos < len && !this.dead) {
      const st = this.state;
      if (st === ST_LENGTH_BODY || st === ST_CHUNK_DATA) {
        const n = Math.min(this.remaining, len - pos);
        const piece = data.subarray(pos, pos + n);
        pos += n;
        this.remaining -= n;
        this.bodyLen += n;
        if (this.request) this.bodyPieces.push(piece);
        const done = this.remaining === 0;
        if (done && st === ST_CHUNK_DATA) {
          this.chunk!.doneAt = now;
          this.state = ST_CHUNK_CR;
        }
        this.events.onBody(piece, now);
        if (done && st === ST_LENGTH_BODY) this.complete(now);
        continue;
      }
      if (st === ST_CHUNK_CR || st === ST_CHUNK_LF) {
        const want = st === ST_CHUNK_CR ? CR : LF;
        if (data[pos] !== want) {
          this.fault(
            'bad-chunk-terminator',
            `chunk data of ${this.chunk?.size ?? 0} bytes not followed by CRLF: got ${quoteBytes(data, pos, len)}`,
            now,
          );
          return;
        }
        pos++;
        this.state = st === ST_CHUNK_CR ? ST_CHUNK_LF : ST_CHUNK_SIZE;
        continue;
      }
      // Line-oriented states.
      const lf = data.indexOf(LF, pos);
      if (lf < 0) {
        this.partialLine(data, pos, len, now);
        return;
      }
      if (this.lineLen === 0) {
        if (st === ST_REQUEST_LINE) this.msgStart = now;
        this.line(data, pos, lf, now);
      } else {
        this.appendLine(data, pos, lf);
        const whole = this.lineBuf;
        const wholeLen = this.lineLen;
        this.lineLen = 0;
        // Don't keep a big buffer alive after one long line.
        if (whole.length > 4096) this.lineBuf = EMPTY;
        this.line(whole, 0, wholeLen, now);
      }
      this.rlPhase = RL_METHOD;
      this.rlCount = 0;
      pos = lf + 1;
    }
  }

  /** Bytes of a line whose end has not arrived yet: enforce limits now, so nothing is buffered unboundedly. */
  private partialLine(data: Buffer, pos: number, len: number, now: number): void {
    const st = this.state;
    if (st === ST_REQUEST_LINE) {
      if (this.lineLen === 0) this.msgStart = now;
      // Only bytes within maxHeaderBytes are judged: the byte crossing the limit is a size fault whatever it is, so
      // the fault kind does not depend on where the reads split the line (see line()).
      const room = this.limits.maxHeaderBytes - this.headBytes - this.lineLen;
      if (!this.scanRequestLinePrefix(data, pos, Math.min(len, pos + Math.max(room, 0)))) {
        const shown = Buffer.concat([this.lineBuf.subarray(0, Math.min(this.lineLen, 81)), data.subarray(pos, Math.min(len, pos + 81))]);
        this.requestLineFault('bad-request-line', `bad request line ${quoteBytes(shown, 0, shown.length)}`, now);
        return;
      }
    }
    const total = this.lineLen + (len - pos);
    if ((st === ST_REQUEST_LINE || st === ST_HEADERS) && this.headBytes + total > this.limits.maxHeaderBytes) {
      this.requestLineFault('headers-too-large', `request line and header section exceed ${this.limits.maxHeaderBytes} bytes`, now);
      return;
    }
    if (st === ST_TRAILERS && this.trailerBytes + total > this.limits.maxTrailerBytes) {
      this.fault('bad-trailer', `trailer section exceeds ${this.limits.maxTrailerBytes} bytes`, now);
      return;
    }
    // +1: room for the CR of the line end.
    if (st === ST_CHUNK_SIZE && total > MAX_CHUNK_LINE + 1) {
      this.fault(
        'bad-chunk-size',
        `chunk-size line longer than ${MAX_CHUNK_LINE} bytes: ${quoteBytes(this.lineBuf.subarray(0, this.lineLen), 0, this.lineLen)}`,
        now,
      );
      return;
    }
    this.appendLine(data, pos, len);
  }

  private appendLine(data: Buffer, from: number, to: number): void {
    const need = this.lineLen + (to - from);
    if (need > this.lineBuf.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.lineBuf.length * 2, 256));
      this.lineBuf.copy(grown, 0, 0, this.lineLen);
      this.lineBuf = grown;
    }
    data.copy(this.lineBuf, this.lineLen, from, to);
    this.lineLen = need;
  }

  /** A request line has begun: some byte other than the CR of a (skipped) empty line is pending. */
  private requestLineStarted(): boolean {
    return this.lineLen > 0 && !(this.lineLen === 1 && this.lineBuf[0] === CR);
  }

  /**
   * Checks request-line bytes that arrived without their line end, so garbage is reported without waiting for a LF
   * that may never come. It only rejects prefixes that no valid request line (or skipped empty line) starts with.
   */
  private scanRequestLinePrefix(buf: Buffer, from: number, to: number): boolean {
    let phase = this.rlPhase;
    let count = this.rlCount;
    for (let i = from; i < to; i++) {
      const b = buf[i]!;
      if (phase === RL_METHOD) {
        if (TCHAR[b] === 1) count++;
        else if (b === SP && count > 0) {
          phase = RL_TARGET;
          count = 0;
        } else if (b === CR && count === 0) phase = RL_CR;
        else return false;
      } else if (phase === RL_TARGET) {
        if (b > SP && b < 0x7f) count++;
        else if (b === SP && count > 0) {
          phase = RL_VERSION;
          count = 0;
        } else return false;
      } else if (phase === RL_VERSION) {
        if (count < 7 ? b === HTTP1_PREFIX[count] : count === 7 && (b === 0x30 || b === 0x31)) count++;
        else if (count === 8 && b === CR) phase = RL_CR;
        else return false;
      } else {
        return false; // After a CR only LF may come, and LF ends the line before this scan.
      }
    }
    this.rlPhase = phase;
    this.rlCount = count;
    return true;
  }

  /** One complete line, `end` excluding the LF. A bare LF is accepted as a line end where RFC 9112 §2.2 allows. */
  private line(buf: Buffer, start: number, end: number, now: number): void {
    const lineBytes = end - start + 1;
    let e = end;
    let crlf = false;
    if (e > start && buf[e - 1] === CR) {
      e--;
      crlf = true;
    }
    switch (this.state) {
      case ST_REQUEST_LINE:
        if (e === start) return; // RFC 9112 §2.2: ignore empty lines before the request line.
        if (lineBytes > this.limits.maxHeaderBytes) {
          // As when the line arrives in pieces: an impossible byte before the limit makes it a bad request line.
          this.rlPhase = RL_METHOD;
          this.rlCount = 0;
          if (!this.scanRequestLinePrefix(buf, start, start + this.limits.maxHeaderBytes)) {
            this.requestLineFault('bad-request-line', `bad request line ${quoteBytes(buf, start, end)}`, now);
          } else {
            this.requestLineFault('headers-too-large', `request line exceeds ${this.limits.maxHeaderBytes} bytes`, now);
          }
          return;
        }
        this.requestLine(buf.toString('latin1', start, e), lineBytes, now);
        return;
      case ST_HEADERS:
        this.headBytes += lineBytes;
        if (this.headBytes > this.limits.maxHeaderBytes) {
          this.fault('headers-too-large', `request line and header section exceed ${this.limits.maxHeaderBytes} bytes`, now);
          return;
        }
        if (e === start) this.finishHead(now);
        else this.headerLine(buf.toString('latin1', start, e), now);
        return;
      case ST_CHUNK_SIZE:
        this.chunkSizeLine(buf, start, e, crlf, now);
        return;
      case ST_TRAILERS:
        this.trailerBytes += lineBytes;
        if (this.trailerBytes > this.limits.maxTrailerBytes) {
          this.fault('bad-trailer', `trailer section exceeds ${this.limits.maxTrailerBytes} bytes`, now);
          return;
        }
        if (e === start) this.finishTrailers(now);
        else this.trailerLine(buf.toString('latin1', start, e), now);
        return;
    }
  }

  /** Faults raised before a request line was accepted: right after a Content-Length body they mean it overran. */
  private requestLineFault(kind: FramingFaultKind, detail: string, now: number): void {
    if (this.state === ST_REQUEST_LINE && this.afterLengthBody) {
      this.fault('body-exceeds-content-length', `bytes after the Content-Length body are not a request: ${detail}`, now);
    } else {
      this.fault(kind, detail, now);
    }
  }

  /** RFC 9112 §3: method SP request-target SP HTTP-version, single spaces, nothing else. */
  private requestLine(s: string, lineBytes: number, now: number): void {
    const sp1 = s.indexOf(' ');
    const sp2 = sp1 < 0 ? -1 : s.indexOf(' ', sp1 + 1);
    const version = sp2 < 0 ? '' : s.slice(sp2 + 1);
    const method = sp1 < 0 ? '' : s.slice(0, sp1);
    const target = sp2 < 0 ? '' : s.slice(sp1 + 1, sp2);
    if ((version !== 'HTTP/1.1' && version !== 'HTTP/1.0') || !TOKEN_RE.test(method) || !TARGET_RE.test(target)) {
      this.requestLineFault('bad-request-line', `bad request line ${quote(s)}`, now);
      return;
    }
    this.afterLengthBody = false;
    this.method = method;
    this.target = target;
    this.httpVersion = version === 'HTTP/1.1' ? '1.1' : '1.0';
    this.headBytes = lineBytes;
    this.state = ST_HEADERS;
  }

  private headerLine(s: string, now: number): void {
    const field = parseFieldLine(s);
    if (typeof field === 'string') {
      this.fault('bad-header', field, now);
      return;
    }
    if (this.headers.length >= this.limits.maxHeaderCount) {
      this.fault('headers-too-large', `more than ${this.limits.maxHeaderCount} header fields`, now);
      return;
    }
    this.headers.push(field);
  }

  private finishHead(now: number): void {
    let contentLength: string[] | undefined;
    let transferEncoding: string[] | undefined;
    const connection: string[] = [];
    const expect: string[] = [];
    const trailer: string[] = [];
    for (const h of this.headers) {
      // Length first: most fields are skipped without lower-casing.
      switch (h.name.length) {
        case 14:
          if (h.name.toLowerCase() === 'content-length') (contentLength ??= []).push(h.value);
          break;
        case 17:
          if (h.name.toLowerCase() === 'transfer-encoding') (transferEncoding ??= []).push(h.value);
          break;
        case 10:
          if (h.name.toLowerCase() === 'connection') connection.push(h.value);
          break;
        case 6:
          if (h.name.toLowerCase() === 'expect') expect.push(h.value);
          break;
        case 7:
          if (h.name.toLowerCase() === 'trailer') trailer.push(h.value);
          break;
      }
    }
    // Note: a missing Host is not a framing fault; routing the request is the server's business.
    const decided = decideFraming(contentLength, transferEncoding, this.httpVersion);
    const framing: BodyFraming = 'framing' in decided ? decided.framing : { kind: 'none' };
    if (this.record) {
      this.request = {
        method: this.method,
        target: this.target,
        httpVersion: this.httpVersion,
        headers: this.headers,
        body: EMPTY,
        chunked: framing.kind === 'chunked',
        chunks: [],
        trailers: this.trailers,
        timing: { start: this.msgStart, headersDone: now },
      };
    }
    if (!('framing' in decided)) {
      // The head was complete, so the fault carries it: the recording shows the offending fields.
      this.fault(decided.kind, decided.detail, now);
      return;
    }
    let close = false;
    let keepAliveToken = false;
    for (const token of listElements(connection)) {
      const t = token.toLowerCase();
      if (t === 'close') close = true;
      else if (t === 'keep-alive') keepAliveToken = true;
    }
    const http11 = this.httpVersion === '1.1';
    const head: RequestHead = {
      method: this.method,
      target: this.target,
      httpVersion: this.httpVersion,
      headers: this.headers,
      framing,
      keepAlive: !close && (http11 || keepAliveToken),
      // RFC 9110 §10.1.1: a server MUST ignore a 100-continue expectation in an HTTP/1.0 request.
      expectContinue: http11 && listElements(expect).some((x) => x.toLowerCase() === '100-continue'),
      declaredTrailers: listElements(trailer),
    };
    this.framing = framing;
    if (framing.kind === 'chunked') this.state = ST_CHUNK_SIZE;
    else if (framing.kind === 'length' && framing.length > 0) {
      this.state = ST_LENGTH_BODY;
      this.remaining = framing.length;
    }
    this.events.onHead(head, this.request, now);
    if (framing.kind === 'none' || (framing.kind === 'length' && framing.length === 0)) this.complete(now);
  }

  /** RFC 9112 §7.1. Strict CRLF here: lenient chunk framing is where front ends and back ends disagree. */
  private chunkSizeLine(buf: Buffer, start: number, end: number, crlf: boolean, now: number): void {
    if (end - start > MAX_CHUNK_LINE) {
      this.fault('bad-chunk-size', `chunk-size line longer than ${MAX_CHUNK_LINE} bytes: ${quoteBytes(buf, start, end)}`, now);
      return;
    }
    const s = buf.toString('latin1', start, end);
    if (!crlf) {
      this.fault('bad-chunk-size', `chunk-size line ended by a bare LF: ${quote(s)}`, now);
      return;
    }
    const m = CHUNK_LINE_RE.exec(s);
    const size = m ? parseInt(m[1]!, 16) : NaN;
    if (!m || !(size <= Number.MAX_SAFE_INTEGER)) {
      this.fault('bad-chunk-size', `bad chunk-size line ${quote(s)}`, now);
      return;
    }
    const chunk: RecordedChunk = { size, extensions: m[2] ?? '', offset: this.bodyLen, at: now, doneAt: now };
    this.request?.chunks.push(chunk);
    if (size === 0) {
      this.state = ST_TRAILERS;
      this.trailerBytes = 0;
    } else {
      this.state = ST_CHUNK_DATA;
      this.remaining = size;
    }
    this.chunk = chunk;
    this.events.onChunk?.(chunk);
  }

  private trailerLine(s: string, now: number): void {
    const field = parseFieldLine(s);
    if (typeof field === 'string') {
      this.fault('bad-trailer', field, now);
      return;
    }
    // The header-count limit bounds trailers too: they are the same kind of field section.
    if (this.trailers.length >= this.limits.maxHeaderCount) {
      this.fault('bad-trailer', `more than ${this.limits.maxHeaderCount} trailer fields`, now);
      return;
    }
    this.trailers.push(field);
  }

  private finishTrailers(now: number): void {
    this.events.onTrailers?.(this.trailers, now);
    this.complete(now);
  }

  private takeBody(): Buffer {
    const pieces = this.bodyPieces;
    if (pieces.length === 0) return EMPTY;
    if (pieces.length === 1) return pieces[0]!;
    return Buffer.concat(pieces, this.bodyLen);
  }

  private complete(now: number): void {
    const request = this.request;
    if (request) {
      request.body = this.takeBody();
      request.timing.bodyDone = now;
    }
    this.afterLengthBody = this.framing.kind === 'length';
    // Fresh per-message state: the finished request owns the old arrays.
    this.state = ST_REQUEST_LINE;
    this.headers = [];
    this.trailers = [];
    this.bodyPieces = [];
    this.bodyLen = 0;
    this.remaining = 0;
    this.headBytes = 0;
    this.trailerBytes = 0;
    this.request = undefined;
    this.chunk = undefined;
    this.framing = { kind: 'none' };
    this.events.onComplete(request, now);
  }

  private fault(kind: FramingFaultKind, detail: string, now: number): void {
    this.dead = true;
    const request = this.request;
    if (request) request.body = this.takeBody();
    this.request = undefined;
    this.bodyPieces = [];
    this.lineBuf = EMPTY;
    this.lineLen = 0;
    this.events.onFault({ kind, detail, at: now }, request);
  }
}
