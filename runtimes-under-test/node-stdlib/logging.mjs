// Advanced logging controls for node-stdlib, as AWS's Node client implements them: console.* is the logger API.
// AWS_LAMBDA_LOG_FORMAT=JSON (any case) turns each console call into one JSON line {timestamp, level, requestId,
// message[, errorType, errorMessage, stackTrace]}; AWS_LAMBDA_LOG_LEVEL (TRACE…FATAL, any case, else INFO) turns the
// methods below it into no-ops. console.log is INFO; console.fatal is added. Text format keeps plain lines.
import { format } from 'node:util';

const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
const METHODS = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', log: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'FATAL' };
// Same streams as Node's own console: warnings and errors on stderr.
const STDERR = new Set(['WARN', 'ERROR', 'FATAL']);

let requestId;

/** The request id stamped on JSON lines from now on (the invocation being handled). */
export function setRequestId(id) {
  requestId = id;
}

function jsonLine(level, args) {
  const line = { timestamp: new Date().toISOString(), level, ...(requestId ? { requestId } : {}), message: format(...args) };
  const error = args.find((a) => a instanceof Error);
  if (error) {
    line.errorType = error.name && error.name !== 'Error' ? error.name : error.constructor?.name || 'Error';
    line.errorMessage = error.message;
    line.stackTrace = typeof error.stack === 'string' ? error.stack.split('\n').slice(1).map((l) => l.trim()).filter(Boolean) : [];
  }
  return JSON.stringify(line);
}

export function installConsole(env = process.env) {
  const json = (env.AWS_LAMBDA_LOG_FORMAT ?? '').toUpperCase() === 'JSON';
  const wanted = LEVELS.indexOf((env.AWS_LAMBDA_LOG_LEVEL ?? '').toUpperCase());
  const min = wanted === -1 ? LEVELS.indexOf('INFO') : wanted;
  for (const [name, level] of Object.entries(METHODS)) {
    if (LEVELS.indexOf(level) < min) {
      console[name] = () => {};
      continue;
    }
    const stream = STDERR.has(level) ? process.stderr : process.stdout;
    console[name] = json ? (...args) => stream.write(`${jsonLine(level, args)}\n`) : (...args) => stream.write(`${format(...args)}\n`);
  }
}
