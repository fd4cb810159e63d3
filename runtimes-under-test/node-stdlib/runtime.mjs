// A Lambda custom runtime for Node on node:http alone. One keep-alive connection polls /next; a handler that returns
// a StreamingResponse (streaming.mjs) has its output streamed chunk by chunk, with a mid-stream failure reported in
// the declared error trailers; anything else it returns is posted as JSON, and a throw goes to /error.
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { StreamingResponse } from './streaming.mjs';

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const BASE = '/2018-06-01/runtime';

function request(method, path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path: BASE + path, agent, headers }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function errorDocument(error) {
  const errorType = error?.name && error.name !== 'Error' ? error.name : error?.constructor?.name ?? 'Error';
  return {
    errorType,
    errorMessage: error?.message ?? String(error),
    stackTrace: typeof error?.stack === 'string' ? error.stack.split('\n').slice(1).map((l) => l.trim()) : [],
  };
}

function postJson(path, doc, extra = {}) {
  const body = Buffer.from(JSON.stringify(doc));
  return request('POST', path, body, { 'Content-Type': 'application/json', 'Content-Length': body.length, ...extra });
}

async function initError(doc) {
  await postJson('/init/error', doc, { 'Lambda-Runtime-Function-Error-Type': doc.errorType });
  process.exit(1);
}

async function loadHandler() {
  const spec = process.env._HANDLER ?? '';
  const dot = spec.lastIndexOf('.');
  const moduleName = spec.slice(0, dot);
  const exportName = spec.slice(dot + 1);
  const root = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
  const file = ['.mjs', '.js'].map((ext) => join(root, moduleName + ext)).find((f) => dot > 0 && existsSync(f));
  if (!file) return initError({ errorType: 'Runtime.ImportModuleError', errorMessage: `Cannot find module '${moduleName}'`, stackTrace: [] });
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (error) {
    return initError(errorDocument(error));
  }
  const fn = mod[exportName];
  if (typeof fn !== 'function') {
    return initError({ errorType: 'Runtime.HandlerNotFound', errorMessage: `${spec} is undefined or not exported`, stackTrace: [] });
  }
  return fn;
}

function context(headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const parse = (v) => {
    try {
      return v ? JSON.parse(v) : null;
    } catch {
      return null;
    }
  };
  return {
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    deadlineMs: Number.isFinite(deadline) ? deadline : null,
    getRemainingTimeInMillis: () => (Number.isFinite(deadline) ? deadline - Date.now() : null),
    clientContext: parse(headers['lambda-runtime-client-context']),
    identity: parse(headers['lambda-runtime-cognito-identity']),
    tenantId: headers['lambda-runtime-aws-tenant-id'] ?? null,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
  };
}

/** Stream a response: headers go out first, each write() is a chunk, a throw becomes the error trailers. */
function stream(requestId, response) {
  return new Promise((resolve) => {
    const req = http.request({
      host,
      port,
      method: 'POST',
      path: `${BASE}/invocation/${requestId}/response`,
      headers: {
        'Lambda-Runtime-Function-Response-Mode': 'streaming',
        'Transfer-Encoding': 'chunked',
        'Content-Type': response.contentType,
        Trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body',
      },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', resolve);
    const responseStream = {
      write(chunk) {
        if (!req.headersSent) req.flushHeaders();
        return req.write(chunk);
      },
      end(chunk) {
        if (chunk !== undefined) req.write(chunk);
        req.end();
      },
    };
    Promise.resolve()
      .then(() => response.producer(responseStream))
      .then(
        () => {
          if (!req.writableEnded) req.end();
        },
        (error) => {
          const doc = errorDocument(error);
          req.addTrailers({
            'Lambda-Runtime-Function-Error-Type': doc.errorType,
            'Lambda-Runtime-Function-Error-Body': Buffer.from(JSON.stringify(doc)).toString('base64'),
          });
          req.end();
        },
      );
  });
}

const handler = await loadHandler();

for (;;) {
  let next;
  try {
    next = await request('GET', '/invocation/next');
  } catch {
    process.exit(1);
  }
  if (next.status !== 200) process.exit(1);
  const requestId = next.headers['lambda-runtime-aws-request-id'];
  const trace = next.headers['lambda-runtime-trace-id'];
  // Per invocation, never stale.
  if (trace) process.env._X_AMZN_TRACE_ID = trace;
  else delete process.env._X_AMZN_TRACE_ID;
  let event;
  try {
    event = JSON.parse(next.body.toString('utf8'));
  } catch (error) {
    await postJson(`/invocation/${requestId}/error`, { errorType: 'Runtime.UnmarshalError', errorMessage: String(error.message), stackTrace: [] }, { 'Lambda-Runtime-Function-Error-Type': 'Runtime.UnmarshalError' });
    continue;
  }
  let result;
  try {
    result = await handler(event, context(next.headers));
  } catch (error) {
    const doc = errorDocument(error);
    await postJson(`/invocation/${requestId}/error`, doc, { 'Lambda-Runtime-Function-Error-Type': doc.errorType });
    continue;
  }
  if (result instanceof StreamingResponse) {
    await stream(requestId, result);
    continue;
  }
  const body = Buffer.from(result === undefined ? '' : JSON.stringify(result));
  const res = await request('POST', `/invocation/${requestId}/response`, body, { 'Content-Type': 'application/json', 'Content-Length': body.length });
  if (res.status === 413) {
    await postJson(`/invocation/${requestId}/error`, { errorType: 'Function.ResponseSizeTooLarge', errorMessage: `Response payload size (${body.length} bytes) exceeded maximum allowed payload size (6291556 bytes).`, stackTrace: [] }, { 'Lambda-Runtime-Function-Error-Type': 'Function.ResponseSizeTooLarge' });
  } else if (res.status >= 500) {
    process.exit(1);
  }
}
