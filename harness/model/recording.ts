/**
 * The wire recording: every HTTP exchange between a runtime and the fake Runtime API, byte for byte.
 *
 * All times are milliseconds (fractional) since the recording's `startedAt`, taken from a monotonic clock,
 * so a scenario can assert on ordering and gaps without wall-clock jitter.
 */

/** A header exactly as it crossed the wire: original name case, original order, duplicates kept. */
export interface RecordedHeader {
  name: string;
  value: string;
}

/** One chunk of a `Transfer-Encoding: chunked` body, as it came off the socket. */
export interface RecordedChunk {
  /** Size declared on the chunk-size line (0 for the terminal chunk). */
  size: number;
  /** Chunk extensions after the size, verbatim without the leading `;` (empty string when none). */
  extensions: string;
  /** Offset of this chunk's first byte within the de-chunked body. */
  offset: number;
  /** When the chunk-size line was complete. */
  at: number;
  /** When the chunk's last data byte arrived (equals `at` for the terminal chunk). */
  doneAt: number;
}

/** What went wrong with the framing of a request. The server answers 400 `TruncatedHTTPRequest` where it still can. */
export type FramingFaultKind =
  | 'bad-request-line'
  | 'bad-header'
  | 'headers-too-large'
  | 'conflicting-framing' // both Content-Length and Transfer-Encoding, or differing duplicate Content-Length
  | 'bad-content-length'
  | 'unsupported-transfer-encoding'
  | 'bad-chunk-size'
  | 'bad-chunk-terminator'
  | 'bad-trailer'
  | 'closed-mid-head' // connection closed inside the request line or header section
  | 'missing-terminal-chunk' // connection closed after data chunks but before the 0-size chunk
  | 'closed-mid-body' // connection closed before Content-Length bytes arrived
  | 'body-exceeds-content-length'; // bytes beyond Content-Length that are not a valid next request

export interface FramingFault {
  kind: FramingFaultKind;
  /** Human-readable detail, e.g. the offending line (truncated). */
  detail: string;
  at: number;
}

export interface RecordedRequest {
  method: string;
  /** Request target as sent, e.g. `/2018-06-01/runtime/invocation/next`. */
  target: string;
  httpVersion: string;
  headers: RecordedHeader[];
  /** The de-chunked body. */
  body: Buffer;
  /** True when the body used chunked transfer coding. */
  chunked: boolean;
  /** Chunk boundaries, including the terminal 0-size chunk when it arrived. Empty unless `chunked`. */
  chunks: RecordedChunk[];
  /** Trailer fields after the terminal chunk. */
  trailers: RecordedHeader[];
  timing: {
    /** First byte of the request line. */
    start: number;
    /** End of the header section. */
    headersDone: number;
    /** Body complete (undefined when the request never completed). */
    bodyDone?: number;
  };
}

export interface RecordedResponse {
  status: number;
  headers: RecordedHeader[];
  body: Buffer;
  timing: {
    /** Status line written. */
    start: number;
    /** Last byte written. */
    end: number;
  };
}

/** What the server made of a request. */
export type ExchangeKind = 'next' | 'response' | 'error' | 'init-error' | 'unknown';

export interface Exchange {
  /** Sequence number within the recording, in order of request start. */
  seq: number;
  /** Which TCP connection carried it (1-based, in accept order). */
  connection: number;
  kind: ExchangeKind;
  /** The invocation request id this exchange concerns (handed out by `/next`, or named in the path). */
  requestId?: string;
  request: RecordedRequest;
  /** Absent when the connection died before the server answered (e.g. a reset injected by a fault). */
  response?: RecordedResponse;
  fault?: FramingFault;
  /** A fault the harness injected deliberately on this exchange (e.g. `reset`, `status:500`). */
  injected?: string;
}

export interface ConnectionRecord {
  id: number;
  remotePort: number;
  openedAt: number;
  closedAt?: number;
  /** Who closed it: the runtime (`peer`), the server, or an injected reset. */
  closedBy?: 'peer' | 'server' | 'reset';
  bytesIn: number;
  bytesOut: number;
}

export interface Recording {
  /** Epoch milliseconds at which time 0 of the recording was taken. */
  startedAt: number;
  exchanges: Exchange[];
  connections: ConnectionRecord[];
}

/** JSON form of a body: base64 bytes plus a UTF-8 preview when the bytes are valid UTF-8. */
export interface BodyJson {
  /** The body's full size in bytes. */
  size: number;
  base64: string;
  utf8?: string;
  /** True when base64/utf8 hold only the first bytes (evidence in reports is bounded). */
  truncated?: boolean;
}

type WithJsonBody<T> = Omit<T, 'body'> & { body: BodyJson };

export interface ExchangeJson extends Omit<Exchange, 'request' | 'response'> {
  request: WithJsonBody<RecordedRequest>;
  response?: WithJsonBody<RecordedResponse>;
}

export interface RecordingJson {
  format: 'lambdaspec.recording/v1';
  startedAt: string;
  exchanges: ExchangeJson[];
  connections: ConnectionRecord[];
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

export function bodyToJson(body: Buffer, maxBytes = Infinity): BodyJson {
  const kept = body.length > maxBytes ? body.subarray(0, maxBytes) : body;
  const json: BodyJson = { size: body.length, base64: kept.toString('base64') };
  if (kept !== body) json.truncated = true;
  try {
    json.utf8 = utf8Strict.decode(kept);
  } catch {
    // Not valid UTF-8 (or cut inside a character): base64 alone carries it.
  }
  return json;
}

export function recordingToJson(rec: Recording): RecordingJson {
  return {
    format: 'lambdaspec.recording/v1',
    startedAt: new Date(rec.startedAt).toISOString(),
    connections: rec.connections.map((c) => ({ ...c })),
    exchanges: rec.exchanges.map((x) => exchangeToJson(x)),
  };
}

/** JSON form of one exchange; `maxBodyBytes` bounds the bodies kept (reports), the full recording keeps all. */
export function exchangeToJson(x: Exchange, maxBodyBytes = Infinity): ExchangeJson {
  const { request, response, ...rest } = x;
  const out: ExchangeJson = { ...rest, request: { ...request, body: bodyToJson(request.body, maxBodyBytes) } };
  if (response) out.response = { ...response, body: bodyToJson(response.body, maxBodyBytes) };
  return out;
}

/** First value of a header, case-insensitively, as HTTP semantics read it. */
export function headerValue(headers: readonly RecordedHeader[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find((h) => h.name.toLowerCase() === lower)?.value;
}
