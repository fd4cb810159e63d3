// A Lambda custom runtime for Node on node:http alone (no dependencies).
//
// The loop polls /next on one keep-alive connection, parses the event, calls the handler and posts what it returns
// as JSON, or what it throws to /error. A handler streams by returning a StreamingResponse (streaming.mjs):
//
//   return new StreamingResponse(async (stream) => { stream.write('a'); await later(); stream.write('b'); }, 'text/plain');
//
// The runtime then opens the streamed POST …/response (chunked, with the error trailers declared), sends each
// stream.write() as one chunk the moment it is made, and turns a throw from the producer into the
// Lambda-Runtime-Function-Error-Type / -Body trailers.
import { existsSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { installConsole, setRequestId } from './logging.mjs';
import { StreamingResponse } from './streaming.mjs';

// Before the handler is imported, so its console calls are formatted and filtered from the start.
installConsole();

const API = process.env.AWS_LAMBDA_RUNTIME_API ?? '';
const sep = API.lastIndexOf(':');
const host = API.slice(0, sep);
const port = Number(API.slice(sep + 1));
const BASE = '/2018-06-01/runtime';
const ERROR_TYPE = 'Lambda-Runtime-Function-Error-Type';
const ERROR_BODY = 'Lambda-Runtime-Function-Error-Body';
const INVOCATION_ID = 'Lambda-Runtime-Invocation-Id';
const XRAY_ERROR_CAUSE = 'Lambda-Runtime-Function-XRay-Error-Cause';
// AWS's clients omit a cause of 1 MiB or more (and still send the error).
const MAX_XRAY_CAUSE_BYTES = 1024 * 1024;
// The Runtime API's OpenAPI spec asks for this type on error documents so other AWS services understand them.
const ERROR_CONTENT_TYPE = 'application/vnd.aws.lambda.error+json';
// The buffered-response limit the Runtime API quotes in its 413.
const MAX_RESPONSE_BYTES = 6291556;

// No timeout anywhere: the environment may be frozen between /next calls.
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** A header value Node accepts: no control characters, and non-ASCII sent as its UTF-8 bytes. */
function headerValue(text) {
  const clean = String(text).replace(/[\x00-\x08\x0a-\x1f\x7f]/g, ' ');
  return Buffer.from(clean, 'utf8').toString('latin1');
}

function requestOnce(method, path, body, headers) {
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

/** One request; a transport failure is retried once on a fresh socket (the server may have closed an idle one). */
async function request(method, path, body, headers = {}) {
  try {
    return await requestOnce(method, path, body, headers);
  } catch (error) {
    console.error(`[runtime] ${method} ${path} failed (${error.code ?? error.message}); retrying once`);
    return requestOnce(method, path, body, headers);
  }
}

function errorDocument(errorType, errorMessage, stackTrace = []) {
  return { errorType: String(errorType), errorMessage: String(errorMessage), stackTrace };
}

/** The document for anything thrown: an Error's name is its errorType (e.g. Probe.Boom), else its class name. */
function thrownDocument(error) {
  if (!(error instanceof Error)) {
    return errorDocument(error?.constructor?.name ?? 'Error', typeof error === 'string' ? error : JSON.stringify(error) ?? String(error));
  }
  const type = error.name && error.name !== 'Error' ? error.name : error.constructor?.name || 'Error';
  const stack = typeof error.stack === 'string' ? error.stack.split('\n').slice(1).map((l) => l.trim()).filter(Boolean) : [];
  return errorDocument(type, error.message, stack);
}

/** The X-Ray error cause AWS's clients send on /error: working directory, the exception, its frames' files. */
function xrayCause(doc) {
  // V8 frames: "at label (path:line:col)" or "at path:line:col".
  const stack = doc.stackTrace.map((frame) => {
    const m = /^at (?:(.*?) \()?(.*?):(\d+):\d+\)?$/.exec(frame);
    return m ? { label: m[1] ?? 'anonymous', path: m[2], line: Number(m[3]) } : { label: frame, path: '', line: 0 };
  });
  const cause = JSON.stringify({
    working_directory: process.cwd(),
    exceptions: [{ type: doc.errorType, message: doc.errorMessage, stack }],
    paths: [...new Set(stack.map((f) => f.path).filter(Boolean))],
  });
  // One header line: JSON.stringify escapes control characters; non-latin-1 characters are escaped for the header.
  const ascii = cause.replace(/[\u0100-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return Buffer.byteLength(ascii) < MAX_XRAY_CAUSE_BYTES ? ascii : undefined;
}

function postError(path, doc, extra = {}) {
  const body = Buffer.from(JSON.stringify(doc), 'utf8');
  return request('POST', path, body, {
    'Content-Type': ERROR_CONTENT_TYPE,
    'Content-Length': body.length,
    [ERROR_TYPE]: headerValue(doc.errorType),
    ...extra,
  });
}

async function initError(doc) {
  console.error(`[runtime] init failed: ${doc.errorType}: ${doc.errorMessage}`);
  try {
    await postError('/init/error', doc);
  } catch (error) {
    console.error(`[runtime] could not report the init error: ${error.message}`);
  }
  process.exit(1);
}

async function loadHandler() {
  const spec = process.env._HANDLER ?? '';
  const dot = spec.lastIndexOf('.');
  if (dot <= 0 || dot === spec.length - 1) {
    return initError(errorDocument('Runtime.MalformedHandlerName', `Bad handler '${spec}': expected module.function`));
  }
  const moduleName = spec.slice(0, dot);
  const exportName = spec.slice(dot + 1);
  const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
  const file = ['.mjs', '.js', '.cjs'].map((ext) => join(root, moduleName + ext)).find((f) => existsSync(f));
  if (!file) return initError(errorDocument('Runtime.ImportModuleError', `Cannot find module '${moduleName}' in ${root}`));
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (error) {
    if (error instanceof SyntaxError) return initError(errorDocument('Runtime.UserCodeSyntaxError', error.message));
    if (error?.code === 'ERR_MODULE_NOT_FOUND') return initError(errorDocument('Runtime.ImportModuleError', error.message));
    return initError(thrownDocument(error)); // the module's init code threw: its error is the init error
  }
  const fn = mod[exportName] ?? mod.default?.[exportName];
  if (typeof fn !== 'function') {
    return initError(errorDocument('Runtime.HandlerNotFound', `${spec} is undefined or not exported`));
  }
  return fn;
}

function parseJsonHeader(value) {
  if (!value) return null;
  try {
    return JSON.parse(value);
  } catch {
    return null;
  }
}

/** What the handler learns about one invocation, built fresh from this /next's headers. */
function makeContext(headers) {
  const raw = headers['lambda-runtime-deadline-ms'];
  const deadlineMs = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : null;
  return {
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    deadlineMs,
    getRemainingTimeInMillis: () => (deadlineMs === null ? null : deadlineMs - Date.now()),
    clientContext: parseJsonHeader(headers['lambda-runtime-client-context']),
    identity: parseJsonHeader(headers['lambda-runtime-cognito-identity']),
    tenantId: headers['lambda-runtime-aws-tenant-id'] || null,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
  };
}

/**
 * Stream a response on a fresh connection: headers go out first, each write() is a chunk sent at once (no Nagle),
 * a throw from the producer becomes the error trailers. Resolves with the status the Runtime API answered, or null
 * if the transport failed.
 */
function streamResponse(requestId, response, extra) {
  return new Promise((resolve) => {
    const req = http.request({
      host,
      port,
      method: 'POST',
      path: `${BASE}/invocation/${requestId}/response`,
      agent: false,
      headers: {
        'Lambda-Runtime-Function-Response-Mode': 'streaming',
        'Transfer-Encoding': 'chunked',
        'Content-Type': headerValue(response.contentType),
        Trailer: `${ERROR_TYPE}, ${ERROR_BODY}`,
        ...extra,
      },
    });
    req.on('socket', (socket) => socket.setNoDelay(true));
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
      res.on('error', () => resolve(res.statusCode));
    });
    req.on('error', (error) => {
      console.error(`[runtime] streaming the response failed: ${error.message}`);
      resolve(null);
    });
    req.flushHeaders();
    const stream = {
      write(chunk) {
        if (req.writableEnded || req.destroyed) return false;
        return req.write(chunk);
      },
      end(chunk) {
        if (chunk !== undefined) this.write(chunk);
        if (!req.writableEnded) req.end();
      },
    };
    Promise.resolve()
      .then(() => response.producer(stream))
      .then(
        () => stream.end(),
        (error) => {
          if (req.writableEnded || req.destroyed) return;
          const doc = thrownDocument(error);
          console.log(`[ERROR] mid-stream failure: ${doc.errorType}: ${doc.errorMessage}`);
          req.addTrailers({
            [ERROR_TYPE]: headerValue(doc.errorType),
            [ERROR_BODY]: Buffer.from(JSON.stringify(doc), 'utf8').toString('base64'),
          });
          req.end();
        },
      );
  });
}

function exitIfServerError(status, what) {
  if (status !== null && status >= 500) {
    console.error(`[runtime] ${what} answered ${status}: exiting as the Runtime API asks`);
    process.exit(1);
  }
}

async function handleOne(handler, next) {
  const headers = next.headers; // node:http lower-cases header names
  const requestId = headers['lambda-runtime-aws-request-id'];
  const invocationId = headers[INVOCATION_ID.toLowerCase()];
  // Echoed on the answer when the Runtime API sent one (a per-attempt nonce).
  const extra = invocationId ? { [INVOCATION_ID]: headerValue(invocationId) } : {};
  const path = `/invocation/${requestId}`;
  setRequestId(requestId);
  // Per invocation, never stale: set when given, removed when not.
  const trace = headers['lambda-runtime-trace-id'];
  if (trace) process.env._X_AMZN_TRACE_ID = trace;
  else delete process.env._X_AMZN_TRACE_ID;

  let event;
  try {
    event = JSON.parse(next.body.toString('utf8'));
  } catch (error) {
    const res = await postError(`${path}/error`, errorDocument('Runtime.UnmarshalError', `Unable to unmarshal input: ${error.message}`), extra);
    return exitIfServerError(res.status, '/error');
  }

  let result;
  try {
    result = await handler(event, makeContext(headers));
  } catch (error) {
    console.error('Invoke Error', error instanceof Error ? error : String(error));
    const doc = thrownDocument(error);
    const cause = xrayCause(doc);
    const res = await postError(`${path}/error`, doc, { ...extra, ...(cause ? { [XRAY_ERROR_CAUSE]: cause } : {}) });
    return exitIfServerError(res.status, '/error');
  }

  if (result instanceof StreamingResponse) {
    const status = await streamResponse(requestId, result, extra);
    if (status !== null && status !== 202) console.error(`[runtime] the streamed response was answered ${status}`);
    return exitIfServerError(status, '/response');
  }

  let body;
  try {
    body = Buffer.from(JSON.stringify(result) ?? '', 'utf8'); // undefined → an empty body, as Lambda's Node client
  } catch (error) {
    const res = await postError(`${path}/error`, errorDocument('Runtime.MarshalError', `Unable to stringify response body: ${error.message}`), extra);
    return exitIfServerError(res.status, '/error');
  }
  const res = await request('POST', `${path}/response`, body, { 'Content-Type': 'application/json', 'Content-Length': body.length, ...extra });
  if (res.status === 202) return;
  exitIfServerError(res.status, '/response');
  // The response was refused: say why on /error.
  const doc =
    res.status === 413
      ? errorDocument('Function.ResponseSizeTooLarge', `Response payload size (${body.length} bytes) exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`)
      : errorDocument('Runtime.InvalidResponse', `The Runtime API refused the response with status ${res.status}`);
  const errorRes = await postError(`${path}/error`, doc, extra);
  exitIfServerError(errorRes.status, '/error');
}

const handler = await loadHandler();

for (;;) {
  let next;
  try {
    next = await request('GET', '/invocation/next');
  } catch (error) {
    console.error(`[runtime] /next failed (${error.code ?? error.message}): exiting`);
    process.exit(1);
  }
  if (next.status !== 200) {
    console.error(`[runtime] /next answered ${next.status}: exiting as the Runtime API asks`);
    process.exit(1);
  }
  try {
    await handleOne(handler, next);
  } catch (error) {
    // Posting the answer failed even after a retry: that ends this invocation, not the runtime.
    console.error(`[runtime] answering the invocation failed: ${error.code ?? error.message}`);
  }
}
