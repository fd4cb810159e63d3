/**
 * Calling a function URL over undici, the way a browser or API client would: the response head that the function's
 * HTTP-integration prelude (statusCode, headers, cookies) became, and the body chunks with their arrival times.
 */
import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import type { StreamedChunk } from '../../model/invocation.ts';
import { UserError } from '../../lib/user-error.ts';

export interface FunctionUrlRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer;
  /** Give up after this long (default 15 min, Lambda's longest invocation). */
  timeoutMs?: number;
}

export interface FunctionUrlResponse {
  status: number;
  headers: Record<string, string | string[]>;
  /** `Set-Cookie` values: the prelude's `cookies`. */
  cookies: string[];
  body: Buffer;
  chunks: StreamedChunk[];
  /** ms from sending to the response head. */
  headMs: number;
  /** ms from sending to the end of the body. */
  doneMs: number;
  /** The body ended early (the connection was cut: a mid-stream error). */
  truncated: boolean;
}

export async function callFunctionUrl(target: URL, r: FunctionUrlRequest, onChunk?: (bytes: Buffer) => void): Promise<FunctionUrlResponse> {
  const t = performance.now();
  const timeout = r.timeoutMs ?? 900_000;
  let res;
  try {
    res = await request(target, {
      method: (r.method ?? 'POST').toUpperCase() as 'POST',
      headers: { 'content-type': 'application/json', ...r.headers },
      ...(r.body !== undefined && r.method?.toUpperCase() !== 'GET' ? { body: r.body } : {}),
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
  } catch (e) {
    const code = (e as { code?: string }).code ?? (e instanceof Error ? e.message : String(e));
    throw new UserError(`--url: cannot reach ${target.origin} (${code})`);
  }
  const headMs = performance.now() - t;
  const chunks: StreamedChunk[] = [];
  const parts: Buffer[] = [];
  let truncated = false;
  try {
    for await (const data of res.body) {
      const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data as Uint8Array);
      chunks.push({ size: bytes.length, at: performance.now() - t });
      parts.push(bytes);
      onChunk?.(bytes);
    }
  } catch {
    truncated = true;
  }
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = v;
  const setCookie = res.headers['set-cookie'];
  return {
    status: res.statusCode,
    headers,
    cookies: setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie],
    body: Buffer.concat(parts),
    chunks,
    headMs,
    doneMs: performance.now() - t,
    truncated,
  };
}
