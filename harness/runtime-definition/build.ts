/**
 * Building a runtime under test (`build.command` in runtime.yaml), cached by a hash of the runtime's folder so an
 * unchanged runtime is never rebuilt. A missing toolchain is a skip with its reason — except under CI
 * (LAMBDASPEC_REQUIRE_ALL=1), where every runtime must build.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { writeFileAtomic } from '../lib/atomic-write.ts';
import { UserError } from '../lib/user-error.ts';
import type { ResolvedRuntime } from './resolve-runtime.ts';

export const BUILD_MARKER = '.lambdaspec-build.json';
/** Held (holding the builder's pid) while a build runs, so test files in parallel workers never build one runtime twice at once. */
export const BUILD_LOCK = '.lambdaspec-build.lock';
const BUILD_TIMEOUT_MS = 30 * 60_000;
const OUTPUT_TAIL_LINES = 60;

export type BuildResult =
  { status: 'none' } | { status: 'cached' | 'built'; hash: string; durationMs: number } | { status: 'skipped'; reason: string };

/** Folders never part of a runtime's source: VCS, caches, and what builds put there. */
const IGNORED_NAMES = new Set(['.git', '__pycache__', 'node_modules', 'target', BUILD_MARKER, BUILD_LOCK]);

function sourceFiles(root: string, exclude: Set<string>): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const rel = relative(root, full);
      if (IGNORED_NAMES.has(name) || exclude.has(rel)) continue;
      const st = statSync(full);
      if (st.isDirectory()) walk(full);
      else if (st.isFile()) out.push(rel);
    }
  };
  walk(root);
  return out;
}

/** Hash of the runtime's source: every file's path, mode and bytes, outputs excluded. */
export function sourceHash(rt: ResolvedRuntime): string {
  const produces = new Set(rt.spec.build?.produces ?? []);
  const h = createHash('sha256');
  for (const rel of sourceFiles(rt.dir, produces)) {
    const full = join(rt.dir, rel);
    h.update(`${rel}\0${statSync(full).mode & 0o111 ? 'x' : '-'}\0`);
    h.update(readFileSync(full));
    h.update('\0');
  }
  return h.digest('hex');
}

export function requireAll(): boolean {
  return process.env['LAMBDASPEC_REQUIRE_ALL'] === '1';
}

function commandExists(cmd: string): boolean {
  if (cmd.startsWith('/')) return existsSync(cmd);
  const dirs = (process.env['PATH'] ?? '').split(':');
  return dirs.some((d) => d && existsSync(join(d, cmd)));
}

/** Commands a runtime says it needs that are not on PATH. */
export function missingRequirements(rt: ResolvedRuntime): string[] {
  return (rt.spec.requires ?? []).filter((cmd) => !commandExists(cmd));
}

function runBuild(command: string, cwd: string): Promise<{ code: number | null; output: string[] }> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const output: string[] = [];
    let partial = '';
    const take = (d: Buffer): void => {
      const lines = (partial + d.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      output.push(...lines);
      // Keep only the tail: a chatty build must not fill memory.
      if (output.length > 4 * OUTPUT_TAIL_LINES) output.splice(0, output.length - OUTPUT_TAIL_LINES);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, BUILD_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (partial) output.push(partial);
      resolve({ code, output: output.slice(-OUTPUT_TAIL_LINES) });
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: 127, output: [e.message] });
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Run `fn` holding the runtime folder's build lock; a lock whose holder died is taken over. */
async function withBuildLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lock = join(dir, BUILD_LOCK);
  const deadline = Date.now() + BUILD_TIMEOUT_MS;
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder = Number.NaN;
      try {
        holder = Number(readFileSync(lock, 'utf8'));
      } catch {
        // Released meanwhile.
      }
      if (Number.isInteger(holder) && holder > 0 && !alive(holder)) rmSync(lock, { force: true });
      else if (Date.now() > deadline) throw new UserError(`${lock}: another build of this runtime has held the lock for too long`);
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

/**
 * Build if needed. Returns `skipped` when a required command is missing (outside CI); throws a UserError carrying
 * the build's own output when the build fails.
 */
export async function buildRuntime(
  rt: ResolvedRuntime,
  options: { force?: boolean; log?: (line: string) => void } = {},
): Promise<BuildResult> {
  const missing = missingRequirements(rt);
  if (missing.length > 0) {
    const reason = `toolchain missing: ${missing.join(', ')} not found on PATH`;
    if (requireAll()) throw new UserError(`runtime ${rt.spec.name}: ${reason} (LAMBDASPEC_REQUIRE_ALL=1: every runtime must build)`);
    return { status: 'skipped', reason };
  }
  const build = rt.spec.build;
  if (!build) return { status: 'none' };
  return withBuildLock(rt.dir, () => buildLocked(rt, build, options));
}

async function buildLocked(
  rt: ResolvedRuntime,
  build: NonNullable<ResolvedRuntime['spec']['build']>,
  options: { force?: boolean; log?: (line: string) => void },
): Promise<BuildResult> {
  const hash = sourceHash(rt);
  const markerPath = join(rt.dir, BUILD_MARKER);
  const outputsExist = build.produces.every((p) => existsSync(join(rt.dir, p)));
  if (!options.force && outputsExist && existsSync(markerPath)) {
    try {
      const marker = JSON.parse(readFileSync(markerPath, 'utf8')) as { hash?: string };
      if (marker.hash === hash) return { status: 'cached', hash, durationMs: 0 };
    } catch {
      // A broken marker just means: build again.
    }
  }
  options.log?.(`building ${rt.spec.name}: ${build.command}`);
  const started = performance.now();
  const result = await runBuild(build.command, rt.dir);
  const durationMs = Math.round(performance.now() - started);
  if (result.code !== 0) {
    throw new UserError(
      `build of ${rt.spec.name} failed (exit ${result.code ?? 'killed'}) in ${rt.dir}: ${build.command}\n${result.output.join('\n')}`,
    );
  }
  const absent = build.produces.filter((p) => !existsSync(join(rt.dir, p)));
  if (absent.length > 0)
    throw new UserError(`build of ${rt.spec.name} succeeded but did not produce ${absent.join(', ')} (runtime.yaml build.produces)`);
  // Hash again: files the build wrote beside its declared outputs (lock files, logs) are part of the built state.
  const builtHash = sourceHash(rt);
  writeFileAtomic(
    markerPath,
    `${JSON.stringify({ hash: builtHash, builtAt: new Date().toISOString(), command: build.command, durationMs }, null, 2)}\n`,
  );
  return { status: 'built', hash: builtHash, durationMs };
}
