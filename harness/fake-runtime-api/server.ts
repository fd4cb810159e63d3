/**
 * The fake Runtime API: one instance per execution environment, listening on 127.0.0.1.
 *
 * It reads raw sockets through our own HTTP/1.1 parser (node:http hides chunk boundaries and trailers), records every
 * exchange, injects the faults a scenario asks for, and reports what the runtime did to its environment through an
 * `InvocationSink` per invocation.
 */
import net from 'node:net';
import { RequestParser, type RequestHead } from './http-parser.ts';
import { ACCEPTED, CONTINUE_BYTES, errorResponse, outgoing, serializeResponse, withClose, type OutgoingResponse } from './http-response.ts';
import {
  headerValue,
  type ConnectionRecord,
  type Exchange,
  type ExchangeKind,
  type FramingFault,
  type RecordedChunk,
  type RecordedHeader,
  type RecordedRequest,
  type Recording,
} from '../model/recording.ts';
import { invalidRequestId, RuntimeStateMachine, type Transition } from './state-machine.ts';
import type { InvocationFaults } from './faults.ts';

/** Largest buffered `/response` body accepted: 6 MiB + 100 bytes (reference §1.5, §4.4). */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024 + 100;
/** "RESPONSE_STREAM ... The maximum response payload size is 200 MB" (config-rs-invoke-furls.html). */
export const MAX_STREAMED_RESPONSE_BYTES = 200 * 1024 * 1024;

const API_PREFIX = '/2018-06-01/runtime/';

/**
 * Requests of one connection waiting for their answer (pipelined behind a parked /next, say) before the server
 * stops reading that connection. With the socket's own write backpressure this bounds what a client that pipelines
 * without reading can make the server hold: 64 queued answers plus what one read (≤ 64 KiB) of requests produces.
 */
export const MAX_PENDING_REQUESTS = 64;
/** Default time a request head may take from its first byte to its empty line before the server drops the connection. */
export const DEFAULT_HEAD_TIMEOUT_MS = 30_000;

export const HEADER = {
  requestId: 'Lambda-Runtime-Aws-Request-Id',
  deadline: 'Lambda-Runtime-Deadline-Ms',
  functionArn: 'Lambda-Runtime-Invoked-Function-Arn',
  traceId: 'Lambda-Runtime-Trace-Id',
  clientContext: 'Lambda-Runtime-Client-Context',
  cognitoIdentity: 'Lambda-Runtime-Cognito-Identity',
  tenantId: 'Lambda-Runtime-Aws-Tenant-Id',
  errorType: 'Lambda-Runtime-Function-Error-Type',
  errorBody: 'Lambda-Runtime-Function-Error-Body',
  responseMode: 'Lambda-Runtime-Function-Response-Mode',
} as const;

/** How the server tells the environment what happened to one invocation. All times are clock() values. */
export interface InvocationSink {
  handedOut(at: number): void;
  /** The runtime's /response or /error head was accepted; for streamed responses body chunks follow. */
  responseStarted(info: { kind: 'response' | 'error'; streamed: boolean; contentType?: string; at: number }): void;
  /** Body bytes as they arrive (streamed responses only; buffered bodies come whole in `completed`). */
  chunk(data: Buffer, at: number): void;
  completed(info: CompletedResponse): void;
  /** The runtime's answer was refused after it started: oversized buffered body (413) or broken framing. */
  rejected(info: {
    reason: 'too-large' | 'truncated';
    kind: 'response' | 'error';
    streamed: boolean;
    size: number;
    fault?: FramingFault;
    at: number;
  }): void;
}

export interface CompletedResponse {
  kind: 'response' | 'error';
  body: Buffer;
  streamed: boolean;
  contentType?: string;
  errorTypeHeader?: string;
  /** Data chunk boundaries of a chunked body (terminal chunk excluded). */
  chunks: { size: number; at: number }[];
  trailers: RecordedHeader[];
  at: number;
}

export interface ApiInvocation {
  requestId: string;
  payload: Buffer;
  /** Epoch ms deadline to announce (overridden by `faults.deadlineOffsetMs`). */
  deadlineMs: number;
  invokedFunctionArn: string;
  traceId: string;
  clientContext?: string;
  cognitoIdentity?: string;
  tenantId?: string;
  faults?: InvocationFaults;
  sink: InvocationSink;
}

export interface RuntimeApiOptions {
  /** ms since `startedAt`, monotonic. */
  clock: () => number;
  /** Epoch ms matching clock() === 0. */
  startedAt: number;
  /** Record exchanges (default true). Off only for measuring the recorder's own cost. */
  record?: boolean;
  maxResponseBytes?: number;
  host?: string;
  /**
   * A request head (request line and fields) not complete within this many ms closes the connection, recorded as
   * `closed-mid-head` with `closedBy: 'server'` (default 30 s, like a front end's header timeout). Bodies have no
   * such limit: a streamed response legitimately takes as long as the invocation.
   */
  headTimeoutMs?: number;
  /** Connections held at once; more are closed as they arrive, so a runtime cannot exhaust the harness's descriptors. */
  maxConnections?: number;
}

/** A runtime needs one or two connections; a thousand means it is attacking the harness. */
export const MAX_CONNECTIONS = 1024;

interface Slot {
  exchange: Exchange | undefined;
  response?: OutgoingResponse;
  close?: boolean;
}

interface Waiter {
  conn: Connection;
  slot: Slot;
}

/** Per-request handling, created when the head arrives. */
interface RequestHandler {
  onBody(data: Buffer, at: number): void;
  onChunk(chunk: RecordedChunk): void;
  /** The trailer section of a chunked body; delivered whether or not the exchange is recorded. */
  onTrailers?(trailers: RecordedHeader[]): void;
  onComplete(request: RecordedRequest | undefined, at: number): void;
  onFault(fault: FramingFault): void;
}

class Connection {
  readonly slots: Slot[] = [];
  handler: RequestHandler | undefined;
  closed = false;
  /** The peer's end of the byte stream was seen (parser.end() called once). */
  ended = false;
  /** Bytes following this connection's last complete request are garbage if they fail to parse. */
  readonly record: ConnectionRecord;
  readonly parser: RequestParser;
  /** Reading is paused: too many answers pending, or the peer is not reading ours (see MAX_PENDING_REQUESTS). */
  private paused = false;
  private headTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly server: RuntimeApiServer,
    readonly id: number,
    readonly socket: net.Socket,
  ) {
    this.record = { id, remotePort: socket.remotePort ?? 0, openedAt: server.clock(), bytesIn: 0, bytesOut: 0 };
    this.parser = new RequestParser(
      {
        onHead: (head, request, at) => this.server.onHead(this, head, request, at),
        onChunk: (chunk) => this.handler?.onChunk(chunk),
        onBody: (data, at) => this.handler?.onBody(data, at),
        onTrailers: (trailers) => this.handler?.onTrailers?.(trailers),
        onComplete: (request, at) => {
          const h = this.handler;
          this.handler = undefined;
          h?.onComplete(request, at);
        },
        onFault: (fault, request) => this.server.onFault(this, fault, request),
      },
      server.clock,
      { record: server.recordEnabled },
    );
  }

  enqueueSlot(exchange: Exchange | undefined): Slot {
    const slot: Slot = { exchange };
    this.slots.push(slot);
    return slot;
  }

  /** Resolve a slot and write every response that is now at the head of the queue (HTTP/1.1 keeps order). */
  respond(slot: Slot, response: OutgoingResponse, close = false): void {
    slot.response = response;
    slot.close = close;
    this.flush();
  }

  flush(): void {
    while (this.slots.length > 0 && this.slots[0]!.response) {
      const slot = this.slots.shift()!;
      if (this.closed) continue;
      const res = slot.close ? withClose(slot.response!) : slot.response!;
      const bytes = serializeResponse(res);
      const at = this.server.clock();
      if (slot.exchange) {
        slot.exchange.response = { status: res.status, headers: res.headers, body: res.body, timing: { start: at, end: at } };
      }
      this.record.bytesOut += bytes.length;
      this.socket.write(bytes);
      this.applyBackpressure();
      if (slot.close) {
        this.closeBy('server');
        this.socket.end();
      }
    }
    this.maybeResume();
  }

  /** After each read: stop reading while answers pile up; time a request head that has begun. */
  afterRead(): void {
    if (!this.paused && (this.slots.length >= MAX_PENDING_REQUESTS || this.socket.writableNeedDrain)) {
      this.paused = true;
      this.socket.pause();
    }
    if (this.inHead()) {
      if (!this.headTimer && !this.closed) this.armHeadTimer();
    } else {
      this.stopHeadTimer();
    }
  }

  private inHead(): boolean {
    return this.handler === undefined && !this.parser.idle && !this.parser.failed;
  }

  private armHeadTimer(): void {
    this.headTimer = setTimeout(() => {
      this.headTimer = undefined;
      if (this.closed || !this.inHead()) return;
      // While we hold reading back, the head is late by our doing: give it a fresh period.
      if (this.paused) return this.armHeadTimer();
      // The parser records the fault (closed-mid-head) when the socket closes.
      this.closeBy('server');
      this.socket.destroy();
    }, this.server.headTimeoutMs);
    this.headTimer.unref();
  }

  stopHeadTimer(): void {
    if (this.headTimer) clearTimeout(this.headTimer);
    this.headTimer = undefined;
  }

  /** Resume reading once answers have drained (after flush() and on the socket's 'drain'). */
  maybeResume(): void {
    if (this.paused && !this.closed && this.slots.length < MAX_PENDING_REQUESTS && !this.socket.writableNeedDrain) {
      this.paused = false;
      this.socket.resume();
    }
  }

  /**
   * A peer that sends requests but does not read the answers would make us queue answers without end: stop reading
   * its requests as soon as what we wrote backs up; maybeResume() picks up again on 'drain'.
   */
  private applyBackpressure(): void {
    if (this.paused || !this.socket.writableNeedDrain) return;
    this.paused = true;
    this.socket.pause();
  }

  isHeadSlot(slot: Slot): boolean {
    return this.slots[0] === slot;
  }

  closeBy(who: 'peer' | 'server' | 'reset'): void {
    if (this.record.closedAt === undefined) {
      this.record.closedAt = this.server.clock();
      this.record.closedBy = who;
    }
  }

  reset(): void {
    this.closeBy('reset');
    this.closed = true;
    this.socket.resetAndDestroy();
  }
}

export class RuntimeApiServer {
  readonly clock: () => number;
  readonly recordEnabled: boolean;
  readonly headTimeoutMs: number;
  private readonly startedAt: number;
  private readonly maxResponseBytes: number;
  private readonly host: string;
  private readonly server: net.Server;
  private readonly connections = new Set<Connection>();
  private readonly exchanges: Exchange[] = [];
  private readonly connectionRecords: ConnectionRecord[] = [];
  private readonly state = new RuntimeStateMachine();
  private readonly queue: ApiInvocation[] = [];
  private readonly waiters: Waiter[] = [];
  /**
   * The invocation handed out last, by id; /response and /error look it up here. Only the latest is kept: the state
   * machine refuses an id that is not the current one anyway, and a long-lived environment must not keep every
   * payload it ever handed out.
   */
  private readonly handedOut = new Map<string, ApiInvocation>();
  /** Faults already applied, so a fault fires once per invocation. */
  private readonly consumed = new WeakMap<ApiInvocation, Set<string>>();
  private nextConnectionId = 1;
  private nextSeq = 1;
  private port = 0;

  /** Called when a process polls /next for the first time (its init is done). */
  onFirstNext: (() => void) | undefined;
  /** Called when the runtime reports an init error. */
  onInitError: ((info: { body: Buffer; errorTypeHeader?: string }) => void) | undefined;

  constructor(options: RuntimeApiOptions) {
    this.clock = options.clock;
    this.startedAt = options.startedAt;
    this.recordEnabled = options.record ?? true;
    this.maxResponseBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
    this.host = options.host ?? '127.0.0.1';
    this.headTimeoutMs = options.headTimeoutMs ?? DEFAULT_HEAD_TIMEOUT_MS;
    this.server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.server.maxConnections = options.maxConnections ?? MAX_CONNECTIONS;
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, this.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const addr = this.server.address();
    if (addr === null || typeof addr === 'string') throw new Error('Runtime API did not bind a TCP port');
    this.port = addr.port;
    return this.address;
  }

  /** `host:port`, the value of AWS_LAMBDA_RUNTIME_API. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** Bytes written but not yet taken by the kernel, over all connections (what a non-reading peer makes us hold). */
  bufferedOutputBytes(): number {
    let sum = 0;
    for (const conn of this.connections) sum += conn.socket.writableLength;
    return sum;
  }

  get runtimeState(): string {
    return this.state.state;
  }

  recording(): Recording {
    return { startedAt: this.startedAt, exchanges: [...this.exchanges], connections: [...this.connectionRecords] };
  }

  /** Answer bytes written but not yet taken by the kernel, over all connections: what a non-reading peer costs us. */
  pendingWriteBytes(): number {
    let n = 0;
    for (const conn of this.connections) n += conn.socket.writableLength;
    return n;
  }

  /** A new runtime process is about to start: forget the old one's state and drop its connections. */
  resetForNewProcess(): void {
    this.state.reset();
    this.handedOut.clear();
    this.waiters.length = 0;
    for (const conn of this.connections) {
      conn.closeBy('server');
      conn.closed = true;
      conn.socket.destroy();
    }
    this.connections.clear();
  }

  enqueue(inv: ApiInvocation): void {
    this.queue.push(inv);
    this.dispatch();
  }

  /** The environment settled this invocation without the runtime (timeout, crash, oversized response). */
  release(requestId: string): void {
    const i = this.queue.findIndex((q) => q.requestId === requestId);
    if (i >= 0) this.queue.splice(i, 1);
    if (this.state.requestId === requestId) this.state.settle();
  }

  async close(): Promise<void> {
    for (const conn of this.connections) {
      conn.closed = true;
      conn.socket.destroy();
    }
    this.connections.clear();
    this.queue.length = 0;
    this.waiters.length = 0;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // --- connection plumbing ------------------------------------------------------------------------------------

  private accept(socket: net.Socket): void {
    const conn = new Connection(this, this.nextConnectionId++, socket);
    this.connections.add(conn);
    if (this.recordEnabled) this.connectionRecords.push(conn.record);
    socket.on('data', (data: Buffer) => {
      conn.record.bytesIn += data.length;
      conn.parser.push(data);
      conn.afterRead();
    });
    socket.on('drain', () => conn.maybeResume());
    const endParser = (): void => {
      if (conn.ended) return;
      conn.ended = true;
      conn.parser.end();
    };
    socket.on('end', () => {
      conn.closeBy('peer');
      endParser();
      // Answer what we still owe, then close our side.
      if (conn.slots.length === 0) socket.end();
    });
    socket.on('error', () => {
      // ECONNRESET from a runtime that dies mid-request: the parser's end() below records the fault.
    });
    socket.on('close', () => {
      conn.stopHeadTimer();
      conn.closeBy('peer');
      if (!conn.closed) endParser();
      conn.closed = true;
      this.connections.delete(conn);
      for (let i = this.waiters.length - 1; i >= 0; i--) if (this.waiters[i]!.conn === conn) this.waiters.splice(i, 1);
    });
  }

  private newExchange(
    conn: Connection,
    kind: ExchangeKind,
    request: RecordedRequest | undefined,
    requestId?: string,
  ): Exchange | undefined {
    if (!request) return undefined;
    const exchange: Exchange = { seq: this.nextSeq++, connection: conn.id, kind, request };
    if (requestId) exchange.requestId = requestId;
    this.exchanges.push(exchange);
    return exchange;
  }

  /** @internal called by Connection */
  onHead(conn: Connection, head: RequestHead, request: RecordedRequest | undefined, at: number): void {
    conn.stopHeadTimer();
    const route = routeOf(head.method, head.target);
    const exchange = this.newExchange(conn, route.kind, request, route.requestId);
    const slot = conn.enqueueSlot(exchange);
    const wantsClose = !head.keepAlive;
    switch (route.kind) {
      case 'next':
        conn.handler = this.nextHandler(conn, slot, wantsClose);
        break;
      case 'response':
      case 'error':
        conn.handler = this.invocationResponseHandler(conn, slot, head, route.kind, route.requestId ?? '', wantsClose);
        break;
      case 'init-error':
        conn.handler = this.initErrorHandler(conn, slot, head, wantsClose);
        break;
      default:
        conn.handler = bodyIgnoringHandler(() =>
          conn.respond(
            slot,
            route.methodNotAllowed
              ? errorResponse(405, 'MethodNotAllowed', `Method ${head.method} not allowed on ${head.target}`)
              : errorResponse(404, 'NotFound', `No Runtime API route for ${head.method} ${head.target}`),
            wantsClose,
          ),
        );
    }
    // RFC 9110 §10.1.1: no 100 when the framing says there is no content (the final answer follows at once).
    const hasContent = head.framing.kind === 'chunked' || (head.framing.kind === 'length' && head.framing.length > 0);
    if (head.expectContinue && hasContent && conn.handler && !conn.closed && conn.isHeadSlot(slot) && slot.response === undefined) {
      conn.socket.write(CONTINUE_BYTES);
      conn.record.bytesOut += CONTINUE_BYTES.length;
    }
    void at;
  }

  /** @internal called by Connection */
  onFault(conn: Connection, fault: FramingFault, request: RecordedRequest | undefined): void {
    const handler = conn.handler;
    conn.handler = undefined;
    let exchange = this.exchanges.find((x) => x.request === request && request !== undefined);
    if (!exchange && request) exchange = this.newExchange(conn, 'unknown', request);
    if (!exchange && this.recordEnabled) {
      // The fault came before a head was complete: record it against a synthetic request so it is never lost.
      exchange = this.newExchange(conn, 'unknown', {
        method: '',
        target: '',
        httpVersion: '',
        headers: [],
        body: Buffer.alloc(0),
        chunked: false,
        chunks: [],
        trailers: [],
        timing: { start: fault.at, headersDone: fault.at },
      });
    }
    if (exchange) exchange.fault = fault;
    handler?.onFault(fault);
    if (conn.closed || conn.socket.destroyed) return;
    // Answer like Lambda (400 TruncatedHTTPRequest) and close: the byte stream can no longer be framed.
    const slot = conn.slots.find((s) => s.exchange === exchange && !s.response) ?? conn.enqueueSlot(undefined);
    if (!slot.exchange && exchange) slot.exchange = exchange;
    // Requests still waiting ahead of this one (a parked /next) can no longer be answered in order: drop them.
    for (let i = conn.slots.length - 1; i >= 0; i--) if (conn.slots[i] !== slot && !conn.slots[i]!.response) conn.slots.splice(i, 1);
    for (let i = this.waiters.length - 1; i >= 0; i--) if (this.waiters[i]!.conn === conn) this.waiters.splice(i, 1);
    conn.respond(slot, errorResponse(400, 'TruncatedHTTPRequest', 'HTTP request detected as truncated'), true);
  }

  // --- /next ----------------------------------------------------------------------------------------------------

  private nextHandler(conn: Connection, slot: Slot, wantsClose: boolean): RequestHandler {
    return bodyIgnoringHandler(() => {
      const wasStarted = this.state.state === 'Started';
      const t = this.state.next();
      if (!t.ok) {
        conn.respond(slot, errorResponse(t.error.status, t.error.errorType, t.error.errorMessage), wantsClose);
        return;
      }
      if (wasStarted) this.onFirstNext?.();
      this.waiters.push({ conn, slot });
      void wantsClose;
      this.dispatch();
    });
  }

  private faultOnce(inv: ApiInvocation, name: string): boolean {
    let set = this.consumed.get(inv);
    if (!set) this.consumed.set(inv, (set = new Set()));
    if (set.has(name)) return false;
    set.add(name);
    return true;
  }

  /** Pair waiting /next polls with queued events. */
  private dispatch(): void {
    while (this.waiters.length > 0 && this.queue.length > 0) {
      const waiter = this.waiters.shift()!;
      if (waiter.conn.closed) continue;
      const inv = this.queue[0]!;
      const faults = inv.faults ?? {};
      if (faults.nextStatus !== undefined && this.faultOnce(inv, 'nextStatus')) {
        if (waiter.slot.exchange) waiter.slot.exchange.injected = `status:${faults.nextStatus}`;
        waiter.conn.respond(
          waiter.slot,
          errorResponse(faults.nextStatus, 'Injected', `Status ${faults.nextStatus} injected by lambdaspec`),
        );
        continue;
      }
      if (faults.reset === 'next' && this.faultOnce(inv, 'reset')) {
        if (waiter.slot.exchange) waiter.slot.exchange.injected = 'reset';
        waiter.conn.reset();
        continue;
      }
      this.queue.shift();
      if (faults.delayNextMs && faults.delayNextMs > 0) {
        const timer = setTimeout(() => this.handOut(waiter, inv), faults.delayNextMs);
        timer.unref();
      } else {
        this.handOut(waiter, inv);
      }
    }
  }

  private handOut(waiter: Waiter, inv: ApiInvocation): void {
    if (waiter.conn.closed) {
      // The poll died while we held it (delayNext): the event goes back to the front of the queue.
      this.queue.unshift(inv);
      return;
    }
    const at = this.clock();
    const faults = inv.faults ?? {};
    const deadline = faults.deadlineOffsetMs !== undefined ? Math.round(this.startedAt + at + faults.deadlineOffsetMs) : inv.deadlineMs;
    const headers = nextHeaders(inv, deadline);
    if (faults.nextHeaders) applyHeaderOverrides(headers, faults.nextHeaders);
    if (waiter.slot.exchange) {
      waiter.slot.exchange.requestId = inv.requestId;
      if (faults.nextHeaders || faults.deadlineOffsetMs !== undefined || faults.delayNextMs) {
        waiter.slot.exchange.injected = 'next-headers';
      }
    }
    this.state.handOut(inv.requestId);
    this.handedOut.clear();
    this.handedOut.set(inv.requestId, inv);
    waiter.conn.respond(waiter.slot, outgoing(200, headers, inv.payload));
    inv.sink.handedOut(at);
  }

  // --- /response and /error -----------------------------------------------------------------------------------------

  private invocationResponseHandler(
    conn: Connection,
    slot: Slot,
    head: RequestHead,
    kind: 'response' | 'error',
    requestId: string,
    wantsClose: boolean,
  ): RequestHandler {
    const inv = this.handedOut.get(requestId);
    const faults = inv?.faults ?? {};
    if (inv && faults.reset === 'response' && this.faultOnce(inv, 'reset')) {
      if (slot.exchange) slot.exchange.injected = 'reset';
      conn.reset();
      return bodyIgnoringHandler(() => undefined);
    }
    if (inv && faults.responseStatus !== undefined && this.faultOnce(inv, 'responseStatus')) {
      if (slot.exchange) slot.exchange.injected = `status:${faults.responseStatus}`;
      const status = faults.responseStatus;
      return bodyIgnoringHandler(() =>
        conn.respond(slot, errorResponse(status, 'Injected', `Status ${status} injected by lambdaspec`), wantsClose),
      );
    }

    const mode = headerValue(head.headers, HEADER.responseMode);
    let verdict: Transition;
    if (mode !== undefined && mode.trim() !== '' && mode.trim().toLowerCase() !== 'streaming') {
      verdict = {
        ok: false,
        error: { status: 400, errorType: 'InvalidFunctionResponseMode', errorMessage: 'Invalid function response mode' },
      };
    } else if (!inv) {
      verdict = { ok: false, error: invalidRequestId() };
    } else {
      verdict = this.state.beginResponse(requestId, kind);
    }
    if (!verdict.ok || !inv) {
      const error = verdict.ok ? invalidRequestId() : verdict.error;
      return bodyIgnoringHandler(() => conn.respond(slot, errorResponse(error.status, error.errorType, error.errorMessage), wantsClose));
    }

    const streamed = kind === 'response' && mode?.trim().toLowerCase() === 'streaming';
    const contentType = headerValue(head.headers, 'Content-Type');
    const errorTypeHeader = headerValue(head.headers, HEADER.errorType);
    const sink = inv.sink;
    const limit = this.maxResponseBytes;
    const parts: Buffer[] = [];
    const chunks: { size: number; at: number }[] = [];
    // Taken from the parser, not the recording: with recording off (serve) mid-stream error trailers must still reach the invoker.
    let trailers: RecordedHeader[] = [];
    let size = 0;
    let tooLarge = false;
    if (streamed) sink.responseStarted({ kind, streamed, ...(contentType ? { contentType } : {}), at: this.clock() });

    return {
      onBody: (data, at) => {
        size += data.length;
        if (streamed) {
          parts.push(data);
          sink.chunk(data, at);
          return;
        }
        if (tooLarge) return;
        if (size > limit) {
          // Stop keeping bytes we will refuse anyway: a runaway body must not cost memory.
          tooLarge = true;
          parts.length = 0;
          return;
        }
        parts.push(data);
      },
      onChunk: (chunk) => {
        if (chunk.size > 0) chunks.push({ size: chunk.size, at: chunk.at });
      },
      onTrailers: (t) => {
        trailers = t;
      },
      onComplete: (request, at) => {
        if (tooLarge) {
          this.state.abortResponse();
          conn.respond(
            slot,
            errorResponse(413, 'RequestEntityTooLarge', `Exceeded maximum allowed payload size (${limit} bytes).`),
            wantsClose,
          );
          sink.rejected({ reason: 'too-large', kind, streamed, size, at });
          return;
        }
        this.state.finishResponse();
        conn.respond(slot, ACCEPTED, wantsClose);
        const body = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
        if (!streamed) sink.responseStarted({ kind, streamed, ...(contentType ? { contentType } : {}), at });
        sink.completed({
          kind,
          body,
          streamed,
          ...(contentType ? { contentType } : {}),
          ...(errorTypeHeader !== undefined ? { errorTypeHeader } : {}),
          chunks,
          trailers: request?.trailers ?? trailers,
          at,
        });
      },
      onFault: (fault) => {
        this.state.abortResponse();
        this.state.settle();
        sink.rejected({ reason: 'truncated', kind, streamed, size, fault, at: fault.at });
      },
    };
  }

  private initErrorHandler(conn: Connection, slot: Slot, head: RequestHead, wantsClose: boolean): RequestHandler {
    const parts: Buffer[] = [];
    let size = 0;
    return {
      onBody: (data) => {
        size += data.length;
        if (size <= this.maxResponseBytes) parts.push(data);
      },
      onChunk: () => undefined,
      onComplete: () => {
        const t = this.state.initError();
        if (!t.ok) {
          conn.respond(slot, errorResponse(t.error.status, t.error.errorType, t.error.errorMessage), wantsClose);
          return;
        }
        conn.respond(slot, ACCEPTED, wantsClose);
        const errorTypeHeader = headerValue(head.headers, HEADER.errorType);
        this.onInitError?.({ body: Buffer.concat(parts), ...(errorTypeHeader !== undefined ? { errorTypeHeader } : {}) });
      },
      onFault: () => undefined,
    };
  }
}

/** Trailers the runtime sent on a streamed response, as the invoker sees them (body base64-decoded). */
export function streamErrorFromTrailers(trailers: readonly RecordedHeader[]): { errorType: string; errorBody: string } | undefined {
  const errorType = headerValue(trailers, HEADER.errorType);
  if (errorType === undefined) return undefined;
  const encoded = headerValue(trailers, HEADER.errorBody) ?? '';
  return { errorType, errorBody: Buffer.from(encoded, 'base64').toString('utf8') };
}

function bodyIgnoringHandler(onComplete: () => void): RequestHandler {
  return { onBody: () => undefined, onChunk: () => undefined, onComplete, onFault: () => undefined };
}

interface Route {
  kind: ExchangeKind;
  requestId?: string;
  methodNotAllowed?: boolean;
}

/** Map a request to what it is for. The path is matched without its query string. */
export function routeOf(method: string, target: string): Route {
  const q = target.indexOf('?');
  const path = q >= 0 ? target.slice(0, q) : target;
  if (!path.startsWith(API_PREFIX)) return { kind: 'unknown' };
  const rest = path.slice(API_PREFIX.length);
  if (rest === 'invocation/next') return method === 'GET' ? { kind: 'next' } : { kind: 'unknown', methodNotAllowed: true };
  if (rest === 'init/error') return method === 'POST' ? { kind: 'init-error' } : { kind: 'unknown', methodNotAllowed: true };
  const m = /^invocation\/([^/]*)\/(response|error)$/.exec(rest);
  if (m) {
    if (method !== 'POST') return { kind: 'unknown', methodNotAllowed: true };
    const id = decodeURIComponentSafe(m[1]!);
    return { kind: m[2] as 'response' | 'error', requestId: id };
  }
  return { kind: 'unknown' };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function nextHeaders(inv: ApiInvocation, deadlineMs: number): RecordedHeader[] {
  const headers: RecordedHeader[] = [{ name: 'Content-Type', value: 'application/json' }];
  const add = (name: string, value: string | undefined): void => {
    // RIE omits empty-valued headers (setHeaderIfNotEmpty, reference §1.3). Header values here are byte strings
    // (written as latin1); RIE sets them from Go strings, so non-ASCII text goes out as its UTF-8 bytes.
    if (value !== undefined && value !== '') headers.push({ name, value: Buffer.from(value, 'utf8').toString('latin1') });
  };
  add(HEADER.requestId, inv.requestId);
  add(HEADER.deadline, String(deadlineMs));
  add(HEADER.functionArn, inv.invokedFunctionArn);
  add(HEADER.traceId, inv.traceId);
  add(HEADER.clientContext, inv.clientContext);
  add(HEADER.cognitoIdentity, inv.cognitoIdentity);
  add(HEADER.tenantId, inv.tenantId);
  return headers;
}

function applyHeaderOverrides(headers: RecordedHeader[], overrides: Record<string, string | null>): void {
  for (const [name, value] of Object.entries(overrides)) {
    const lower = name.toLowerCase();
    const i = headers.findIndex((h) => h.name.toLowerCase() === lower);
    if (value === null) {
      if (i >= 0) headers.splice(i, 1);
    } else if (i >= 0) {
      headers[i] = { name: headers[i]!.name, value };
    } else {
      headers.push({ name, value });
    }
  }
}
