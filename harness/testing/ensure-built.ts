/**
 * Vitest global setup: tests that spawn bin/lambdaspec.mjs run the compiled dist/, so rebuild it first when a
 * source it is built from is newer than the last build (a few ms to check; tsc only when something changed).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const STAMP = join(ROOT, 'dist', '.tsbuildinfo');

/** Newest mtime (ms) of the files tsconfig.build.json compiles: harness/**.ts without tests and testing/. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'testing' && e.name !== 'node_modules') newest = Math.max(newest, newestSource(p));
    } else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) {
      newest = Math.max(newest, statSync(p).mtimeMs);
    }
  }
  return newest;
}

export function distIsStale(): boolean {
  if (!existsSync(STAMP)) return true;
  const built = statSync(STAMP).mtimeMs;
  return Math.max(newestSource(join(ROOT, 'harness')), statSync(join(ROOT, 'tsconfig.build.json')).mtimeMs) > built;
}

export default function setup(): void {
  if (!distIsStale()) return;
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`npm run build failed before the tests:\n${r.stdout}${r.stderr}`);
  // tsc leaves the build info untouched when no output changed (a touched file, a comment): mark it checked.
  const now = new Date();
  utimesSync(STAMP, now, now);
}
