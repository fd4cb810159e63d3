#!/usr/bin/env node
// Entry point: registers tsx so the TypeScript sources run directly (no build step), then hands over to the CLI.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../harness/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
// Ended by a signal: leave now, even if a command that cannot stop by itself (build, bench-harness) is still busy.
if (process.exitCode === 130) process.exit(130); // EXIT.INTERRUPTED (harness/lib/exit-codes.ts)
