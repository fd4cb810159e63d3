/**
 * The smallest useful Lambda runtime, for measuring the harness around it: one keep-alive connection to
 * AWS_LAMBDA_RUNTIME_API, GET /next, echo the event back as the response, repeat. MINIMAL_RUNTIME_SLEEP_MS=N makes
 * every invocation take N ms more (a runtime whose own work is a fixed wait, for load scaling). It runs until its
 * environment kills it.
 */
import net from 'node:net';

const api = process.env['AWS_LAMBDA_RUNTIME_API'] ?? '';
const sleepMs = Number(process.env['MINIMAL_RUNTIME_SLEEP_MS'] ?? '0') || 0;
const [host, portText] = api.split(':');
if (!host || !portText) {
  process.stderr.write('minimal-runtime: AWS_LAMBDA_RUNTIME_API is not set\n');
  process.exit(1);
}

const socket = net.connect({ host, port: Number(portText), noDelay: true });
let buffered: Buffer = Buffer.alloc(0);
let phase: 'next' | 'response' = 'next';

function sendNext(): void {
  phase = 'next';
  socket.write('GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: runtime\r\n\r\n');
}

function respond(requestId: string, event: Buffer): void {
  phase = 'response';
  socket.write(
    Buffer.concat([
      Buffer.from(
        `POST /2018-06-01/runtime/invocation/${requestId}/response HTTP/1.1\r\nHost: runtime\r\nContent-Type: application/json\r\nContent-Length: ${event.length}\r\n\r\n`,
      ),
      event,
    ]),
  );
}

/** One complete response off the buffer (head and Content-Length body), or undefined while it is partial. */
function take(): { head: string; body: Buffer } | undefined {
  const end = buffered.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const head = buffered.subarray(0, end).toString('latin1');
  const m = /\r\ncontent-length: *(\d+)/i.exec(head);
  const length = m ? Number(m[1]) : 0;
  if (buffered.length < end + 4 + length) return undefined;
  const body = Buffer.from(buffered.subarray(end + 4, end + 4 + length));
  buffered = buffered.subarray(end + 4 + length);
  return { head, body };
}

socket.on('data', (data: Buffer) => {
  buffered = buffered.length === 0 ? data : Buffer.concat([buffered, data]);
  for (let r = take(); r; r = take()) {
    if (phase === 'response') {
      sendNext();
      continue;
    }
    const requestId = /\r\nlambda-runtime-aws-request-id: *([^\r]+)/i.exec(r.head)?.[1] ?? 'unknown';
    const event = r.body;
    if (sleepMs > 0) setTimeout(() => respond(requestId, event), sleepMs);
    else respond(requestId, event);
  }
});
socket.on('connect', sendNext);
socket.on('error', (e) => {
  process.stderr.write(`minimal-runtime: ${e.message}\n`);
  process.exit(1);
});
socket.on('close', () => process.exit(0));
