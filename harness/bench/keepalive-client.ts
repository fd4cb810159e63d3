/**
 * The minimal runtime used to measure the fake Runtime API: one keep-alive connection, two round trips per
 * invocation (GET /next, POST /response), nothing else. Run as a child process so it does not share the server's
 * event loop. Prints one JSON line: { invocations, ms }.
 *
 * argv: <host:port> <invocations> <maxMs>
 */
import net from 'node:net';

const [address, countArg, maxMsArg] = process.argv.slice(2);
const [host, portText] = (address ?? '').split(':');
const total = Number(countArg);
const maxMs = Number(maxMsArg);
if (!host || !portText || !Number.isFinite(total) || !Number.isFinite(maxMs)) {
  process.stderr.write('usage: keepalive-client <host:port> <invocations> <maxMs>\n');
  process.exit(2);
}

const socket = net.connect({ host, port: Number(portText), noDelay: true });
const RESPONSE_BODY = '{"ok":true}';
let buffered: Buffer = Buffer.alloc(0);
let done = 0;
let phase: 'next' | 'response' = 'next';
let requestId = '';
const started = performance.now();

function sendNext(): void {
  phase = 'next';
  socket.write('GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: bench\r\n\r\n');
}

function sendResponse(): void {
  phase = 'response';
  socket.write(
    `POST /2018-06-01/runtime/invocation/${requestId}/response HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: ${RESPONSE_BODY.length}\r\n\r\n${RESPONSE_BODY}`,
  );
}

function finish(): void {
  process.stdout.write(`${JSON.stringify({ invocations: done, ms: performance.now() - started })}\n`);
  socket.destroy();
}

/** Pull complete responses off the buffer; returns false while one is still partial. */
function takeResponse(): boolean {
  const end = buffered.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const head = buffered.subarray(0, end).toString('latin1');
  const m = /\r\ncontent-length: *(\d+)/i.exec(head);
  const length = m ? Number(m[1]) : 0;
  if (buffered.length < end + 4 + length) return false;
  if (phase === 'next') {
    const id = /\r\nlambda-runtime-aws-request-id: *([^\r]+)/i.exec(head);
    requestId = id ? id[1]! : 'unknown';
  }
  buffered = buffered.subarray(end + 4 + length);
  return true;
}

socket.on('data', (data: Buffer) => {
  buffered = buffered.length === 0 ? data : Buffer.concat([buffered, data]);
  while (takeResponse()) {
    if (phase === 'next') {
      sendResponse();
    } else {
      done++;
      if (done >= total || performance.now() - started > maxMs) return finish();
      sendNext();
    }
  }
});
socket.on('connect', sendNext);
socket.on('error', (e) => {
  process.stderr.write(`keepalive-client: ${e.message}\n`);
  process.exit(1);
});
