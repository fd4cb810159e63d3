/**
 * Output paths (`--report-dir`, `--junit`, `--out`, `--record`…) are checked before any work starts, so a run never
 * ends after an hour with a path it could not write; and folders are created by a bounded walk, because Node's
 * recursive mkdir spins forever on a virtual file system (`mkdirSync('/proc/x', { recursive: true })`).
 */
import { accessSync, constants, mkdirSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { UserError } from './user-error.ts';

/** Kernel file systems: nothing a report can be written to, and mkdir there does not fail the usual way. */
const VIRTUAL_ROOTS = ['/proc', '/sys', '/dev'];

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function virtualRoot(path: string): string | undefined {
  return VIRTUAL_ROOTS.find((root) => path === root || path.startsWith(`${root}${sep}`));
}

/** The nearest existing ancestor of `path` (itself included), by a walk bounded by the path's depth. */
function nearestExisting(path: string): { path: string; stats: Stats } | undefined {
  let current = path;
  for (let i = 0; i <= path.split(sep).length; i++) {
    const stats = statOrUndefined(current);
    if (stats) return { path: current, stats };
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
  return undefined;
}

/** Why `dir` cannot hold output (as a folder, existing or to be created), or undefined when it can. */
export function folderProblem(dir: string): string | undefined {
  const abs = resolve(dir);
  const root = virtualRoot(abs);
  if (root) return `is in ${root}, a kernel file system`;
  const found = nearestExisting(abs);
  if (!found) return 'has no existing parent folder';
  if (found.path === abs) {
    if (!found.stats.isDirectory()) return 'is a file, not a folder';
    return writable(abs) ? undefined : 'is not writable';
  }
  if (!found.stats.isDirectory()) return `is below a file (${found.path})`;
  return writable(found.path) ? undefined : `cannot be created: ${found.path} is not writable`;
}

/** Why `file` cannot be written (created or replaced), or undefined when it can. */
export function fileProblem(file: string): string | undefined {
  const abs = resolve(file);
  const root = virtualRoot(abs);
  if (root) return `is in ${root}, a kernel file system`;
  const stats = statOrUndefined(abs);
  if (stats?.isDirectory()) return 'is a folder, not a file';
  if (stats && !writable(abs)) return 'is not writable';
  const parent = folderProblem(dirname(abs));
  return parent === undefined ? undefined : `cannot be written: its folder ${dirname(abs)} ${parent}`;
}

/** Throw a one-line UserError naming the flag, the path and the problem unless `path` can be written. */
export function checkOutputPath(flag: string, path: string | undefined, kind: 'file' | 'folder'): void {
  if (path === undefined) return;
  if (path === '') throw new UserError(`--${flag}: the path is empty`);
  const problem = kind === 'file' ? fileProblem(path) : folderProblem(path);
  if (problem !== undefined) throw new UserError(`--${flag} ${path}: ${problem}`);
}

/** Create `dir` and its missing parents one level at a time; the walk is bounded by the path's depth. */
export function ensureFolder(dir: string): void {
  const abs = resolve(dir);
  const root = virtualRoot(abs);
  if (root) throw new UserError(`cannot create ${abs}: it is in ${root}, a kernel file system`);
  const missing: string[] = [];
  let current = abs;
  for (let i = 0; i <= abs.split(sep).length; i++) {
    const stats = statOrUndefined(current);
    if (stats) {
      if (!stats.isDirectory()) throw new UserError(`cannot create ${abs}: ${current} is a file`);
      break;
    }
    missing.push(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const level of missing.reverse()) {
    try {
      mkdirSync(level);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && statOrUndefined(level)?.isDirectory()) continue;
      throw new UserError(`cannot create ${level}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
}
