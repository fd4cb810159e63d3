/**
 * The built-in generator's HTTP side: one undici keep-alive `Pool` and a `Send` that POSTs the same prepared
 * body over it. Uses `dispatch` with a bare handler (no per-request promise of a body stream, headers kept as raw
 * buffers, bodies read only when an error document must be parsed), as autocannon keeps its per-request work to
 * a prebuilt request and a parser callback.
 */
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import { functionErrorType } from '../invoke/front.ts';
import { parseReportLine } from '../environment/platform-log.ts';
import type { RequestOutcome, Send } from './load-generator.ts';

export interface SenderOptions {
  /** Full URL to POST to (an Invoke API path on the front, or any endpoint for `--url`). */
  url: string;
  /** Invoke API: 200 without `X-Amz-Function-Error` is success, and `Tail` log results reveal cold starts. */
  invokeApi: boolean;
  body: Buffer;
  connections: number;
  /** Ask the front for the log tail (`X-Amz-Log-Type: Tail`) to count cold starts from REPORT lines. */
  tail?: boolean;
  /** Requests queued on one connection (1 = no pipelining). */
  pipelining?: number;
  /** Per-request bound on waiting for headers and between body bytes. */
  timeoutMs?: number;
}

export interface Sender {
  send: Send;
  close(): Promise<void>;
}

const FUNCTION_ERROR = 'x-amz-function-error';
const LOG_RESULT = 'x-amz-log-result';

function headerIs(raw: Buffer, name: string): boolean {
  return raw.length === name.length && raw.toString('latin1').toLowerCase() === name;
}

/** Whether a base64 `X-Amz-Log-Result` tail holds a REPORT (text or `platform.report`) with Init Duration (this invocation started the runtime). */
export function tailShowsColdStart(logResult: string): boolean {
  const text = Buffer.from(logResult, 'base64').toString('utf8');
  for (const line of text.split('\n')) {
    if (line.startsWith('REPORT ') || line.startsWith('{')) {
      const r = parseReportLine(line);
      if (r) return r.initDurationMs !== undefined;
    }
  }
  return false;
}

type Done = (outcome: RequestOutcome) => void;

/** undici's dispatch handler for one request; kept minimal because it runs once per request at full rate. */
class ResponseHandler implements Dispatcher.DispatchHandler {
  private status = 0;
  private functionError: string | undefined;
  private logResult: string | undefined;
  private chunks: Buffer[] | undefined;
  private settled = false;

  constructor(
    private readonly invokeApi: boolean,
    private readonly done: Done,
  ) {}

  onConnect(): void {}

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    this.status = statusCode;
    if (this.invokeApi) {
      for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
        const name = rawHeaders[i]!;
        if (headerIs(name, FUNCTION_ERROR)) this.functionError = rawHeaders[i + 1]!.toString('latin1');
        else if (headerIs(name, LOG_RESULT)) this.logResult = rawHeaders[i + 1]!.toString('latin1');
      }
      if (this.functionError !== undefined) this.chunks = [];
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.chunks?.push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.settled) return;
    this.settled = true;
    const coldStart = this.logResult !== undefined && tailShowsColdStart(this.logResult);
    const extra = coldStart ? { coldStart } : {};
    const success = this.invokeApi ? this.status === 200 : this.status >= 200 && this.status < 300;
    if (!success) this.done({ kind: 'http', status: this.status, ...extra });
    else if (this.functionError !== undefined) {
      this.done({ kind: 'function-error', errorType: functionErrorType(Buffer.concat(this.chunks ?? []), this.functionError), ...extra });
    } else this.done({ kind: 'ok', ...extra });
  }

  onError(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    const code = (err as NodeJS.ErrnoException).code;
    this.done({ kind: 'transport', code: typeof code === 'string' && code !== '' ? code : err.name });
  }
}

export function createSender(options: SenderOptions): Sender {
  const url = new URL(options.url);
  const timeout = options.timeoutMs ?? 30_000;
  const pool = new Pool(url.origin, {
    connections: options.connections,
    pipelining: options.pipelining ?? 1,
    keepAliveTimeout: 30_000,
    headersTimeout: timeout,
    bodyTimeout: timeout,
  });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.invokeApi && options.tail) headers['x-amz-log-type'] = 'Tail';
  const dispatchOptions: Dispatcher.DispatchOptions = {
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: 'POST',
    headers,
    body: options.body,
  };
  const send: Send = () =>
    new Promise<RequestOutcome>((resolve) => {
      pool.dispatch(dispatchOptions, new ResponseHandler(options.invokeApi, resolve));
    });
  return {
    send,
    close: () => pool.destroy(),
  };
}
