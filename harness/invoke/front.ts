/**
 * The public, Lambda-compatible Invoke API in front of execution environments: `Invoke` (2015-03-31) and
 * `InvokeWithResponseStream` (2021-11-15), with Lambda's status codes, headers and error documents, so curl,
 * the AWS SDKs and load generators can call a local runtime as they would call Lambda.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { functionArn, type InvocationResult } from '../model/invocation.ts';
import type { ExecutionEnvironment, InvocationInput } from '../environment/execution-environment.ts';
import { errorMessage, invokeCompleteMessage, payloadChunkMessage } from './event-stream.ts';
import { configurationDocument, parseConfigurationUpdate } from './function-configuration.ts';
import { functionUrlEvent, parseFunctionUrlPath, serveFunctionUrl } from './function-url.ts';
import { deliveredPayload, MAX_REQUEST_PAYLOAD_BYTES, payloadRejection, tooLargeRejection } from './invoke-payload.ts';
import { logTail } from '../environment/platform-log.ts';

export { MAX_REQUEST_PAYLOAD_BYTES };
/** How long `close()` waits for in-flight requests and async (`Event`) invocations before cutting them off. */
const CLOSE_GRACE_MS = 5_000;

/**
 * What one client may cost the front: any local program can connect, so head, body, time and connections are
 * bounded. Past a bound the client gets Lambda's or HTTP's answer (431, 413, 408) and, for framing, a closed
 * connection; every other connection is unaffected. Tests (the fuzzer) shrink them.
 */
export interface FrontLimits {
  /** Request line plus headers (Node answers 431 past it). */
  maxHeadBytes: number;
  /** The head must be complete within this (Node answers 408 and closes). */
  headTimeoutMs: number;
  /** The whole request, body included, must arrive within this (408 and close); the invocation itself may run longer. */
  requestTimeoutMs: number;
  /** Request body, as Lambda's 6 MiB (413 RequestEntityTooLargeException past it). */
  maxBodyBytes: number;
  /** Past maxBodyBytes the rest is read and dropped up to this much, so the 413 reaches a client still sending; beyond it the connection is closed. */
  maxDiscardBytes: number;
  /** Open connections; the ones past it are closed at once. */
  maxConnections: number;
}

export const DEFAULT_FRONT_LIMITS: FrontLimits = {
  maxHeadBytes: 64 * 1024,
  headTimeoutMs: 10_000,
  requestTimeoutMs: 120_000,
  maxBodyBytes: MAX_REQUEST_PAYLOAD_BYTES,
  maxDiscardBytes: 64 * 1024 * 1024,
  maxConnections: 1_024,
};

/** What the front needs of an environment: an `ExecutionEnvironment`, or a pool of them (harness/load/). */
export type InvokeTarget = Pick<ExecutionEnvironment, 'config' | 'invoke' | 'reconfigure'>;

export interface InvokeFrontOptions {
  host?: string;
  port?: number;
  /** Resolve a bare function name (the front strips ARN prefixes and qualifiers) to its environment. */
  resolve: (functionName: string) => InvokeTarget | undefined;
  /**
   * Decide whether a call is let through: a rejection is answered as Lambda answers it. This is how tests stand in
   * for the service's refusals (throttling, bad credentials) without an AWS account.
   */
  admit?: (call: FrontCall) => FrontRejection | undefined;
  /** Region and account of ARNs for names that resolve to nothing (default us-east-1, 123456789012, as functionConfigFor). */
  region?: string;
  accountId?: string;
  /** Resource bounds (DEFAULT_FRONT_LIMITS unless given). */
  limits?: Partial<FrontLimits>;
}

/** A call to the front, as `admit` sees it. */
export interface FrontCall {
  operation: Operation | 'GetFunctionConfiguration' | 'UpdateFunctionConfiguration' | 'FunctionUrl';
  functionName: string;
  /** From the SigV4 `Authorization` header's `Credential=<key id>/…`, when signed. */
  accessKeyId?: string;
}

/** How the front refuses a call: e.g. 429 `TooManyRequestsException`, 403 `UnrecognizedClientException`. */
export interface FrontRejection {
  status: number;
  errorType: string;
  message: string;
}

/** A function identifier from the request path: bare name, `name:qualifier`, partial or full ARN. */
export interface FunctionTarget {
  name: string;
  qualifier?: string;
  /** Set when the caller used an ARN (full or partial): Lambda echoes it in "not found" messages. */
  arn?: string;
}

const NAME_CHARS = /^[A-Za-z0-9_-]+$/;

/** Parse `FunctionName` as Lambda accepts it; undefined when it cannot name any function. */
export function parseFunctionName(raw: string): FunctionTarget | undefined {
  const parts = raw.split(':');
  let name: string | undefined;
  let qualifier: string | undefined;
  let arn: string | undefined;
  if (parts[0] === 'arn') {
    // arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]
    if (parts.length < 7 || parts.length > 8 || parts[2] !== 'lambda' || parts[5] !== 'function') return undefined;
    [name, qualifier, arn] = [parts[6], parts[7], raw];
  } else if (parts.length >= 3 && parts[1] === 'function') {
    // <account>:function:<name>[:<qualifier>]
    if (parts.length > 4) return undefined;
    [name, qualifier, arn] = [parts[2], parts[3], raw];
  } else {
    if (parts.length > 2) return undefined;
    [name, qualifier] = [parts[0], parts[1]];
  }
  if (name === undefined || !NAME_CHARS.test(name) || qualifier === '') return undefined;
  return { name, ...(qualifier !== undefined ? { qualifier } : {}), ...(arn !== undefined ? { arn } : {}) };
}

type Operation = 'Invoke' | 'InvokeWithResponseStream';
type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

/** A Lambda service error: status, `X-Amzn-Errortype`, and the JSON document. */
interface ApiError {
  status: number;
  errorType: string;
  body: Record<string, string>;
}

function userError(status: number, errorType: string, message: string): ApiError {
  return { status, errorType, body: { Type: 'User', Message: message } };
}

const ROUTES: ReadonlyArray<{ operation: Operation; pattern: RegExp }> = [
  { operation: 'Invoke', pattern: /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/ },
  { operation: 'InvokeWithResponseStream', pattern: /^\/2021-11-15\/functions\/([^/]+)\/response-streaming-invocations\/?$/ },
];

const CONFIGURATION_ROUTE = /^\/2015-03-31\/functions\/([^/]+)\/configuration\/?$/;

type BodyRead = { ok: true; body: Buffer } | { ok: false; size: number };

/**
 * Buffer the request body up to `limit` bytes; past it keep reading (so the 413 reaches a client still sending) but
 * drop bytes, up to `discard` bytes in all: then answer at once (the caller closes the connection).
 */
function readBody(req: IncomingMessage, limit: number, discard: number): Promise<BodyRead> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const onData = (data: Buffer): void => {
      size += data.length;
      if (size <= limit) parts.push(data);
      else parts.length = 0;
      if (size > discard) {
        req.off('data', onData);
        req.pause();
        resolve({ ok: false, size });
      }
    };
    req.on('data', onData);
    req.on('end', () => resolve(size <= limit ? { ok: true, body: Buffer.concat(parts, size) } : { ok: false, size }));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('client went away before the request body ended'));
    });
  });
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** `X-Amz-Client-Context` → the JSON text handed to the runtime, or undefined when it is not base64 of a JSON object. */
function decodeClientContext(header: string): string | undefined {
  const trimmed = header.trim();
  if (!BASE64.test(trimmed)) return undefined;
  try {
    const text = strictUtf8.decode(Buffer.from(trimmed, 'base64'));
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? text : undefined;
  } catch {
    return undefined;
  }
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** ErrorCode for InvokeComplete: the posted document's errorType, else the runtime's error-type header. */
export function functionErrorType(payload: Buffer, header: string | undefined): string {
  try {
    const doc: unknown = JSON.parse(payload.toString('utf8'));
    if (typeof doc === 'object' && doc !== null && 'errorType' in doc && typeof doc.errorType === 'string' && doc.errorType !== '') {
      return doc.errorType;
    }
  } catch {
    // Not JSON: fall through to the header.
  }
  return header !== undefined && header !== '' ? header : 'Unhandled';
}

function completeFields(result: InvocationResult, tail: boolean): { errorCode?: string; errorDetails?: string; logResult?: string } {
  const fields: { errorCode?: string; errorDetails?: string; logResult?: string } = {};
  const outcome = result.outcome;
  if (outcome.kind === 'response') {
    if (outcome.streamError) {
      fields.errorCode = outcome.streamError.errorType;
      fields.errorDetails = outcome.streamError.errorBody;
    }
  } else {
    fields.errorCode =
      outcome.kind === 'function-error' ? functionErrorType(result.payload, outcome.errorTypeHeader) : outcome.error.errorType;
    fields.errorDetails = result.payload.toString('utf8');
  }
  if (tail) fields.logResult = logTail(result.logs.map((l) => l.text));
  return fields;
}

interface Validated {
  env: InvokeTarget;
  invocationType: InvocationType;
  input: InvocationInput;
  tail: boolean;
}

export class InvokeFront {
  private readonly options: InvokeFrontOptions;
  private server: Server | undefined;
  private closing = false;
  private closed: Promise<void> | undefined;
  /** Async (`Event`) invocations still running; `close()` gives them a grace period. */
  private readonly pending = new Set<Promise<void>>();
  private readonly startedAt = new Date();
  /** When UpdateFunctionConfiguration last changed each environment (LastModified). */
  private readonly lastModified = new WeakMap<InvokeTarget, Date>();

  private readonly limits: FrontLimits;

  constructor(options: InvokeFrontOptions) {
    this.options = options;
    this.limits = { ...DEFAULT_FRONT_LIMITS, ...options.limits };
  }

  async start(): Promise<{ port: number; url: string }> {
    if (this.server || this.closed) throw new Error('InvokeFront can be started once');
    const host = this.options.host ?? '127.0.0.1';
    const l = this.limits;
    // requestTimeout covers receiving the request only: an invocation may still run its 15 minutes. Node checks
    // both timeouts on connectionsCheckingInterval, so that is kept well below them.
    const server = createServer(
      {
        maxHeaderSize: l.maxHeadBytes,
        headersTimeout: l.headTimeoutMs,
        requestTimeout: Math.max(l.requestTimeoutMs, l.headTimeoutMs),
        connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(l.headTimeoutMs / 4))),
      },
      (req, res) => {
        this.handle(req, res).catch((e: unknown) => this.failSafe(res, e));
      },
    );
    // Idle keep-alive sockets go after 5 s.
    server.keepAliveTimeout = 5_000;
    server.maxConnections = l.maxConnections;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const { port } = server.address() as AddressInfo;
    const urlHost = host.includes(':') ? `[${host}]` : host;
    return { port, url: `http://${urlHost}:${port}` };
  }

  /** Stop listening, let in-flight requests and async invocations finish (up to 5 s), close keep-alive sockets. */
  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.closing = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), CLOSE_GRACE_MS);
    });
    const drained = Promise.all([Promise.allSettled([...this.pending]), closed]).then(() => 'drained' as const);
    const how = await Promise.race([drained, graceOver]);
    clearTimeout(timer);
    if (how === 'timeout') server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // A client that disconnects mid-response must not surface as an unhandled 'error'.
    res.on('error', () => undefined);
    req.on('error', () => undefined);
    res.on('close', () => {
      // Keep-alive sockets that go idle while closing would otherwise hold `server.close()` open.
      const server = this.server;
      if (this.closing && server) setImmediate(() => server.closeIdleConnections());
    });
    const requestId = randomUUID();
    // Split by hand: `new URL` would read a path starting with `//` as a host and throw on odd inputs.
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const url = { pathname: q < 0 ? target : target.slice(0, q), searchParams: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)) };
    const config = CONFIGURATION_ROUTE.exec(url.pathname);
    if (config && (req.method === 'GET' || req.method === 'PUT')) {
      await this.handleConfiguration(
        req,
        res,
        req.method,
        decodeURIComponentSafe(config[1]!),
        url.searchParams.get('Qualifier') || undefined,
        requestId,
      );
      return;
    }
    const fnUrl = parseFunctionUrlPath(url.pathname);
    if (fnUrl) {
      await this.handleFunctionUrl(req, res, fnUrl, q < 0 ? '' : target.slice(q + 1), requestId);
      return;
    }
    const route = req.method === 'POST' ? ROUTES.find((r) => r.pattern.test(url.pathname)) : undefined;
    if (!route) {
      this.sendError(res, requestId, userError(404, 'UnknownOperationException', `Unknown operation: ${req.method ?? ''} ${url.pathname}`));
      return;
    }
    const read = await this.readBody(req, res);
    if (!read.ok) {
      const r = tooLargeRejection(route.operation);
      this.sendError(res, requestId, { status: r.status, errorType: r.errorType, body: { Message: r.message } });
      return;
    }
    const rawName = decodeURIComponentSafe(route.pattern.exec(url.pathname)![1]!);
    const refused = this.refusal(req, route.operation, rawName);
    if (refused) {
      this.sendError(res, requestId, refused);
      return;
    }
    const validated = this.validate(req, url, route.operation, rawName, read.body, requestId);
    if ('status' in validated) {
      this.sendError(res, requestId, validated);
      return;
    }
    if (validated.invocationType === 'DryRun') {
      res.writeHead(204, this.headers(requestId, {}));
      res.end();
      return;
    }
    if (validated.invocationType === 'Event') {
      this.invokeAsync(validated);
      res.writeHead(202, this.headers(requestId, { 'Content-Length': '0' }));
      res.end();
      return;
    }
    if (route.operation === 'Invoke') await this.invokeSync(res, validated);
    else await this.invokeStreaming(res, validated);
  }

  /** The body within the limits; past maxDiscardBytes the connection is marked to close after the answer. */
  private async readBody(req: IncomingMessage, res: ServerResponse): Promise<BodyRead> {
    const read = await readBody(req, this.limits.maxBodyBytes, this.limits.maxDiscardBytes);
    if (!read.ok && !req.complete) res.shouldKeepAlive = false;
    return read;
  }

  private validate(
    req: IncomingMessage,
    url: { searchParams: URLSearchParams },
    operation: Operation,
    rawName: string | undefined,
    body: Buffer,
    requestId: string,
  ): Validated | ApiError {
    const target = rawName === undefined ? undefined : parseFunctionName(rawName);
    const qualifierParam = url.searchParams.get('Qualifier') || undefined;
    if (target?.qualifier !== undefined && qualifierParam !== undefined && target.qualifier !== qualifierParam) {
      return userError(
        400,
        'InvalidParameterValueException',
        'The derived qualifier from the function name does not match the specified qualifier.',
      );
    }
    const qualifier = target?.qualifier ?? qualifierParam;
    const env = target ? this.options.resolve(target.name) : undefined;
    // One version per environment: a qualifier naming any other version or alias does not exist.
    if (!env || (qualifier !== undefined && qualifier !== env.config.version)) {
      return this.notFound(env, target, qualifier, rawName);
    }

    const typeHeader = headerOf(req, 'X-Amz-Invocation-Type') ?? 'RequestResponse';
    if (typeHeader !== 'RequestResponse' && typeHeader !== 'Event' && typeHeader !== 'DryRun') {
      return userError(400, 'InvalidParameterValueException', `Unsupported invocation type: ${typeHeader}`);
    }
    if (operation === 'InvokeWithResponseStream' && typeHeader === 'Event') {
      return userError(400, 'InvalidParameterValueException', 'InvokeWithResponseStream does not support the Event invocation type.');
    }

    const contextHeader = headerOf(req, 'X-Amz-Client-Context');
    let clientContext: string | undefined;
    if (contextHeader !== undefined && contextHeader !== '') {
      clientContext = decodeClientContext(contextHeader);
      if (clientContext === undefined) {
        return userError(400, 'InvalidRequestContentException', 'Client context must be a valid Base64-encoded JSON object.');
      }
    }

    const rejected = payloadRejection(body, operation);
    if (rejected) return userError(rejected.status, rejected.errorType, rejected.message);

    const tenantId = headerOf(req, 'X-Amz-Tenant-Id');
    const input: InvocationInput = {
      payload: deliveredPayload(body),
      requestId,
      ...(clientContext !== undefined ? { clientContext } : {}),
      ...(tenantId !== undefined && tenantId !== '' ? { tenantId } : {}),
      // Lambda hands the runtime the ARN the caller invoked, qualifier included.
      ...(qualifier !== undefined ? { invokedFunctionArn: `${functionArn(env.config)}:${qualifier}` } : {}),
    };
    return { env, invocationType: typeHeader, input, tail: headerOf(req, 'X-Amz-Log-Type') === 'Tail' };
  }

  /**
   * Lambda's 404 names the function by full ARN whichever form the caller used ("Function not found:
   * arn:aws:lambda:us-east-1:123456789012:function:name[:qualifier]"); a full ARN is echoed as given.
   */
  private notFound(
    env: InvokeTarget | undefined,
    target: FunctionTarget | undefined,
    qualifier: string | undefined,
    rawName: string | undefined,
  ): ApiError {
    const suffix = qualifier !== undefined ? `:${qualifier}` : '';
    let shown: string;
    if (env) shown = `${functionArn(env.config)}${suffix}`;
    else if (target?.arn?.startsWith('arn:')) shown = `${target.arn}${target.qualifier === undefined ? suffix : ''}`;
    else if (target) {
      const accountId = target.arn ? target.arn.split(':')[0]! : (this.options.accountId ?? '123456789012');
      shown = `${functionArn({ region: this.options.region ?? 'us-east-1', accountId, functionName: target.name })}${suffix}`;
    } else shown = rawName ?? '';
    return userError(404, 'ResourceNotFoundException', `Function not found: ${shown}`);
  }

  private refusal(req: IncomingMessage, operation: FrontCall['operation'], rawName: string | undefined): ApiError | undefined {
    if (!this.options.admit) return undefined;
    const accessKeyId = /Credential=([^/,\s]+)\//.exec(headerOf(req, 'Authorization') ?? '')?.[1];
    const name = rawName === undefined ? '' : (parseFunctionName(rawName)?.name ?? rawName);
    const r = this.options.admit({ operation, functionName: name, ...(accessKeyId !== undefined ? { accessKeyId } : {}) });
    if (!r) return undefined;
    return {
      status: r.status,
      errorType: r.errorType,
      body: { Type: r.status >= 500 ? 'Service' : 'User', message: r.message, Message: r.message },
    };
  }

  /** GetFunctionConfiguration / UpdateFunctionConfiguration (see function-configuration.ts). */
  private async handleConfiguration(
    req: IncomingMessage,
    res: ServerResponse,
    method: 'GET' | 'PUT',
    rawName: string | undefined,
    qualifier: string | undefined,
    requestId: string,
  ): Promise<void> {
    const operation = method === 'GET' ? 'GetFunctionConfiguration' : 'UpdateFunctionConfiguration';
    const read = await this.readBody(req, res);
    const refused = this.refusal(req, operation, rawName);
    if (refused) return this.sendError(res, requestId, refused);
    const target = rawName === undefined ? undefined : parseFunctionName(rawName);
    const env = target ? this.options.resolve(target.name) : undefined;
    const q = target?.qualifier ?? qualifier;
    if (!env || (q !== undefined && q !== env.config.version)) {
      return this.sendError(res, requestId, this.notFound(env, target, q, rawName));
    }
    if (method === 'PUT') {
      if (q !== undefined && q !== '$LATEST') {
        return this.sendError(
          res,
          requestId,
          userError(400, 'InvalidParameterValueException', 'Only the unpublished ($LATEST) configuration can be updated.'),
        );
      }
      const update = read.ok ? parseConfigurationUpdate(read.body) : 'Request too large';
      if (typeof update === 'string') return this.sendError(res, requestId, userError(400, 'InvalidParameterValueException', update));
      if (!env.reconfigure)
        return this.sendError(
          res,
          requestId,
          userError(400, 'InvalidParameterValueException', 'This function cannot be reconfigured here.'),
        );
      await env.reconfigure(update);
      this.lastModified.set(env, new Date());
    }
    const body = Buffer.from(JSON.stringify(configurationDocument(env.config, this.lastModified.get(env) ?? this.startedAt)));
    res.writeHead(200, this.headers(requestId, { 'Content-Type': 'application/json', 'Content-Length': String(body.length) }));
    res.end(body);
  }

  private async handleFunctionUrl(
    req: IncomingMessage,
    res: ServerResponse,
    target: { name: string; rawPath: string },
    rawQuery: string,
    requestId: string,
  ): Promise<void> {
    const read = await this.readBody(req, res);
    const refused = this.refusal(req, 'FunctionUrl', target.name);
    if (refused) return this.sendError(res, requestId, refused);
    const env = this.options.resolve(target.name);
    if (!env) return this.sendError(res, requestId, userError(404, 'ResourceNotFoundException', `Function not found: ${target.name}`));
    if (!read.ok)
      return this.sendError(
        res,
        requestId,
        userError(413, 'RequestEntityTooLargeException', `Request must be smaller than ${this.limits.maxBodyBytes} bytes`),
      );
    const event = functionUrlEvent(req, target.rawPath, rawQuery, read.body, requestId, new Date());
    await serveFunctionUrl(res, env, { payload: Buffer.from(JSON.stringify(event)), requestId }, requestId);
  }

  private invokeAsync(v: Validated): void {
    // Failures of async invocations are the function's business (they are in its logs), never the caller's.
    const run: Promise<void> = v.env.invoke(v.input).then(
      () => undefined,
      () => undefined,
    );
    this.pending.add(run);
    void run.then(() => this.pending.delete(run));
  }

  private async invokeSync(res: ServerResponse, v: Validated): Promise<void> {
    let result: InvocationResult;
    try {
      result = await v.env.invoke(v.input);
    } catch (e) {
      this.sendError(res, v.input.requestId!, serviceError(e));
      return;
    }
    const outcome = result.outcome;
    const streamError = outcome.kind === 'response' ? outcome.streamError : undefined;
    // A buffered caller cannot see trailers: a stream that ended in an error is a function error (see streamErrorDocument).
    const payload = streamError ? streamErrorDocument(streamError) : result.payload;
    const contentType = outcome.kind === 'response' && outcome.contentType && !streamError ? outcome.contentType : 'application/json';
    const extra: OutgoingHttpHeaders = {
      'Content-Type': contentType,
      'Content-Length': String(payload.length),
      'X-Amz-Executed-Version': v.env.config.version,
    };
    const functionError = result.functionError ?? (streamError ? 'Unhandled' : undefined);
    if (functionError) extra['X-Amz-Function-Error'] = functionError;
    if (v.tail) extra['X-Amz-Log-Result'] = logTail(result.logs.map((l) => l.text));
    if (res.destroyed) return;
    res.writeHead(200, this.headers(result.requestId, extra));
    res.end(payload);
  }

  private async invokeStreaming(res: ServerResponse, v: Validated): Promise<void> {
    res.writeHead(
      200,
      this.headers(v.input.requestId!, {
        'Content-Type': 'application/vnd.amazon.eventstream',
        'X-Amz-Executed-Version': v.env.config.version,
      }),
    );
    // The caller sees the 200 as soon as the invocation starts, like Lambda; events follow as they happen.
    res.flushHeaders();
    const write = (message: Uint8Array): void => {
      if (!res.destroyed && !res.writableEnded) res.write(message);
    };
    let result: InvocationResult;
    try {
      result = await v.env.invoke(v.input, {
        onChunk: (bytes) => {
          if (bytes.length > 0) write(payloadChunkMessage(bytes));
        },
      });
    } catch (e) {
      const err = serviceError(e);
      write(errorMessage(err.errorType, err.body['Message'] ?? 'Internal error'));
      if (!res.writableEnded) res.end();
      return;
    }
    write(invokeCompleteMessage(completeFields(result, v.tail)));
    if (!res.writableEnded) res.end();
  }

  private headers(requestId: string, extra: OutgoingHttpHeaders): OutgoingHttpHeaders {
    return { ...extra, 'X-Amzn-RequestId': requestId, ...(this.closing ? { Connection: 'close' } : {}) };
  }

  private sendError(res: ServerResponse, requestId: string, err: ApiError): void {
    if (res.headersSent || res.destroyed) return;
    const body = Buffer.from(JSON.stringify(err.body));
    res.writeHead(
      err.status,
      this.headers(requestId, {
        'Content-Type': 'application/json',
        'Content-Length': String(body.length),
        'X-Amzn-Errortype': err.errorType,
      }),
    );
    res.end(body);
  }

  /** Last resort for a bug in this module: answer 500 (or cut a response already started), never crash. */
  private failSafe(res: ServerResponse, e: unknown): void {
    if (!res.headersSent && !res.destroyed) {
      this.sendError(res, randomUUID(), serviceError(e));
      return;
    }
    res.destroy();
  }
}

/**
 * The body a buffered Invoke returns for a streamed response that ended with error trailers. The docs say only
 * that Lambda forwards the trailers' error to the client (runtimes-custom, "response streaming"); for Invoke, where
 * there are no trailers, we choose what Lambda does for every other function error: 200, `X-Amz-Function-Error:
 * Unhandled`, the error document as the payload. The decoded Error-Body when it is a JSON object (what the RICs
 * send), else a document built from the Error-Type trailer; the partial body is dropped, as for an /error.
 */
export function streamErrorDocument(e: { errorType: string; errorBody: string }): Buffer {
  try {
    const doc: unknown = JSON.parse(e.errorBody);
    if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) return Buffer.from(e.errorBody);
  } catch {
    // Not JSON: build the document.
  }
  return Buffer.from(JSON.stringify({ errorMessage: e.errorBody, errorType: e.errorType }));
}

function serviceError(e: unknown): ApiError {
  const detail = e instanceof Error ? e.message : String(e);
  return {
    status: 500,
    errorType: 'ServiceException',
    body: { Type: 'Service', Message: `Internal error while invoking the function: ${detail}` },
  };
}

function decodeURIComponentSafe(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}
