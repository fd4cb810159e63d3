#!/usr/bin/env node
// Entry point: the compiled CLI in dist/ (built by `npm run build`; npm ci and npm pack run it through prepare).
// No TypeScript loader at start: plain JavaScript keeps `lambdaspec --help` and `lambdaspec invoke` quick.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('lambdaspec: dist/ is missing: run `npm run build` in the lambdaspec folder (npm ci does it)\n');
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
// Ended by a signal: leave now, even if a command that cannot stop by itself (build, bench-harness) is still busy.
if (process.exitCode === 130) process.exit(130); // EXIT.INTERRUPTED (harness/lib/exit-codes.ts)
