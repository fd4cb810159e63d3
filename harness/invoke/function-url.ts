/**
 * Function URLs on the local front (`/lambda-url/<function>/<path>`): the HTTP request becomes a payload-format 2.0
 * event, and a streamed response in the HTTP-integration format (JSON prelude, 8 NUL bytes, body) becomes the HTTP
 * response — status, headers and cookies from the prelude, then the body as it streams (RESPONSE_STREAM invoke
 * mode). Any other response streams out as the body with its content type.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { ExecutionEnvironment, InvocationInput } from '../environment/execution-environment.ts';
import type { InvocationResult } from '../model/invocation.ts';
import { HTTP_INTEGRATION_DELIMITER, isHttpIntegration } from './http-integration.ts';

export const FUNCTION_URL_PREFIX = '/lambda-url/';
/** The prelude must arrive within the first 16 KB (API Gateway's documented bound; function URLs behave alike). */
const MAX_PRELUDE_BYTES = 16 * 1024;

/** `{name, rawPath}` of a function-URL request path, or undefined when the path is not one. */
export function parseFunctionUrlPath(path: string): { name: string; rawPath: string } | undefined {
  if (!path.startsWith(FUNCTION_URL_PREFIX)) return undefined;
  const rest = path.slice(FUNCTION_URL_PREFIX.length);
  const slash = rest.indexOf('/');
  const name = slash < 0 ? rest : rest.slice(0, slash);
  if (!/^[A-Za-z0-9_-]+$/.test(name)) return undefined;
  return { name, rawPath: slash < 0 ? '/' : rest.slice(slash) };
}

function isText(contentType: string | undefined): boolean {
  if (!contentType) return true;
  return /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded))/i.test(contentType);
}

/** The payload-format 2.0 event Lambda builds from a function-URL request. */
export function functionUrlEvent(
  req: IncomingMessage,
  rawPath: string,
  rawQuery: string,
  body: Buffer,
  requestId: string,
  now: Date,
): Record<string, unknown> {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    const value = req.rawHeaders[i + 1]!;
    if (name === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((c) => c.trim())
          .filter((c) => c.length > 0),
      );
      continue;
    }
    // Repeated headers are joined with commas, as Lambda does.
    headers[name] = headers[name] !== undefined ? `${headers[name]},${value}` : value;
  }
  const queryStringParameters: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(rawQuery))
    queryStringParameters[k] = queryStringParameters[k] !== undefined ? `${queryStringParameters[k]},${v}` : v;
  const text = isText(headers['content-type']);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: rawQuery,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(rawQuery !== '' ? { queryStringParameters } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'lambdaspec',
      domainName: headers['host'] ?? '127.0.0.1',
      domainPrefix: 'lambdaspec',
      http: {
        method: req.method ?? 'GET',
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: text ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !text,
  };
}

interface Prelude {
  statusCode?: unknown;
  headers?: unknown;
  cookies?: unknown;
}

/** Response head from a prelude: bad members are dropped, as the service ignores what it cannot use. */
export function preludeHead(prelude: Prelude): { status: number; headers: OutgoingHttpHeaders } {
  const status =
    typeof prelude.statusCode === 'number' && Number.isInteger(prelude.statusCode) && prelude.statusCode >= 100 && prelude.statusCode <= 599
      ? prelude.statusCode
      : 200;
  const headers: OutgoingHttpHeaders = {};
  if (typeof prelude.headers === 'object' && prelude.headers !== null) {
    for (const [k, v] of Object.entries(prelude.headers as Record<string, unknown>)) if (typeof v === 'string') headers[k] = v;
  }
  if (Array.isArray(prelude.cookies)) {
    const cookies = prelude.cookies.filter((c): c is string => typeof c === 'string');
    if (cookies.length > 0) headers['Set-Cookie'] = cookies;
  }
  return { status, headers };
}

/**
 * Invoke and stream the answer out as the function URL's HTTP response. Errors before any byte was sent give
 * 502 `{"Message":"Internal Server Error"}`, as a function URL does.
 */
export async function serveFunctionUrl(
  res: ServerResponse,
  env: Pick<ExecutionEnvironment, 'invoke'>,
  input: InvocationInput,
  requestId: string,
): Promise<void> {
  type Mode = 'pending' | 'prelude' | 'body';
  // Set from callbacks: declared wide so the checks below are not narrowed to the initial value.
  let mode = 'pending' as Mode;
  let held: Buffer = Buffer.alloc(0);
  const head = (status: number, headers: OutgoingHttpHeaders): void => {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { ...headers, 'X-Amzn-RequestId': requestId });
    res.flushHeaders();
  };
  const write = (b: Buffer): void => {
    if (b.length > 0 && !res.destroyed && !res.writableEnded) res.write(b);
  };
  const onChunk = (bytes: Buffer): void => {
    if (mode === 'body') return write(bytes);
    held = Buffer.concat([held, bytes]);
    const at = held.indexOf(HTTP_INTEGRATION_DELIMITER);
    if (at >= 0) {
      let prelude: Prelude = {};
      try {
        prelude = JSON.parse(held.subarray(0, at).toString('utf8')) as Prelude;
      } catch {
        // An unreadable prelude: the service answers with defaults.
      }
      const h = preludeHead(prelude);
      head(h.status, h.headers);
      mode = 'body';
      write(held.subarray(at + HTTP_INTEGRATION_DELIMITER.length));
      held = Buffer.alloc(0);
    } else if (held.length > MAX_PRELUDE_BYTES) {
      head(502, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ Message: 'Internal Server Error' }));
      mode = 'body';
    }
  };
  let result: InvocationResult | undefined;
  try {
    result = await env.invoke(input, {
      onResponseStart: ({ contentType }) => {
        if (isHttpIntegration(contentType)) mode = 'prelude';
        else {
          mode = 'body';
          head(200, { 'Content-Type': contentType ?? 'application/json' });
        }
      },
      onChunk,
    });
  } catch {
    // A harness-side failure is a 502 to the URL's client, like any failed invocation.
  }
  if (!result || result.outcome.kind !== 'response') {
    if (!res.headersSent) {
      head(502, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ Message: 'Internal Server Error' }));
    } else res.destroy();
    return;
  }
  if (mode === 'prelude' && !res.headersSent) {
    // The stream ended without the 8 NULs: what came is the body, under default headers.
    head(200, { 'Content-Type': 'application/octet-stream' });
    write(held);
  }
  if (!res.headersSent) head(200, { 'Content-Type': result.outcome.contentType ?? 'application/json' });
  // A mid-stream error cuts the connection, so the client can tell a truncated body from a complete one.
  if (result.outcome.streamError) res.destroy();
  else if (!res.writableEnded) res.end();
}
