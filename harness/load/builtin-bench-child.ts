/**
 * The built-in generator as a process of its own, for the generator bench: symmetric with k6 and autocannon (its
 * own event loop and CPU accounting). Closed model against <url>; prints one JSON line
 * { requests, errors, elapsedMs, cpuMs } with the generator's own CPU (this process, user + system).
 *
 * argv: <url> <connections> <durationMs> <warmupMs>
 */
import { createSender } from './http-sender.ts';
import { generateLoad } from './load-generator.ts';
import { DEFAULT_EVENT } from './load-options.ts';

const [url, connArg, durArg, warmArg] = process.argv.slice(2);
const connections = Number(connArg);
const durationMs = Number(durArg);
const warmupMs = Number(warmArg ?? 0);
if (!url || !(connections > 0) || !(durationMs > 0)) {
  process.stderr.write('usage: builtin-bench-child <url> <connections> <durationMs> [warmupMs]\n');
  process.exit(2);
}
const sender = createSender({ url, invokeApi: false, body: Buffer.from(JSON.stringify(DEFAULT_EVENT)), connections });
const plan = { model: 'closed' as const, concurrency: connections, requests: Number.MAX_SAFE_INTEGER };
// Warm-up (not measured): JIT and connections, which k6 (compiled) does not need and autocannon amortises.
if (warmupMs > 0) await generateLoad({ ...plan, durationMs: warmupMs }, sender.send);
const cpu0 = process.cpuUsage();
const r = await generateLoad({ ...plan, durationMs }, sender.send);
const cpu = process.cpuUsage(cpu0);
await sender.close();
process.stdout.write(
  `${JSON.stringify({ requests: r.completed, errors: r.errors.total, elapsedMs: r.elapsedMs, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`,
);
