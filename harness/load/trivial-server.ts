/**
 * The trivial loopback server the load generators are measured against: node:http answering every request with
 * 200 and an 11-byte JSON body. Runs as its own process so no generator shares its event loop. Prints
 * `{"port":N}` once listening; exits when stdin closes (its parent went away), on SIGTERM, or after maxMs.
 *
 * argv: [maxMs]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const maxMs = Number(process.argv[2] ?? 600_000);
const BODY = Buffer.from('{"ok":true}');
const HEADERS = { 'content-type': 'application/json', 'content-length': String(BODY.length) };

const server = createServer((req, res) => {
  // Drain the request body (the generators POST an event) before answering, as a real endpoint would.
  req.on('data', () => undefined);
  req.on('end', () => {
    res.writeHead(200, HEADERS);
    res.end(BODY);
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
const stop = (): void => process.exit(0);
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
setTimeout(stop, Number.isFinite(maxMs) && maxMs > 0 ? maxMs : 600_000).unref();
