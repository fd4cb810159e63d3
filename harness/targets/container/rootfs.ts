/**
 * The root filesystem of a bundled runtime's image, assembled from this machine with no registry: the runtime's
 * files under /var/task (Lambda's layout for a custom runtime), the interpreter its language needs copied from the
 * host at the same paths (python3 and its standard library, node, bash with the tools a shell runtime calls), and the
 * shared libraries all of these load, found with ldd. Every image also gets /bin/sh and /usr/bin/env, as
 * provided.al2023 has them: a `#!/usr/bin/env missing` bootstrap then exits 127 as it does on Lambda.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  realpathSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { ResolvedRuntime } from '../../runtime-definition/resolve-runtime.ts';
import { UserError } from '../../lib/user-error.ts';
import { which } from '../../lib/which.ts';

/** Where the runtime's folder goes in the image (LAMBDA_TASK_ROOT). */
export const TASK_ROOT = '/var/task';

/** One thing to put into the image: a host file, symlink or folder (copied whole, filtered) at an image path. */
export type RootfsEntry =
  | { kind: 'file'; source: string; target: string }
  | { kind: 'symlink'; target: string; link: string }
  | { kind: 'tree'; source: string; target: string; skip: readonly string[] }
  | { kind: 'text'; target: string; text: string; mode: number };

export interface RootfsPlan {
  entries: RootfsEntry[];
  /** Image path of the bootstrap. */
  bootstrap: string;
}

/** What a shell runtime calls besides bash (the tutorial's bootstrap and handler use coreutils, sed, grep …). */
const SHELL_TOOLS = [
  'bash',
  'cat',
  'head',
  'tail',
  'tr',
  'wc',
  'printf',
  'sleep',
  'date',
  'cut',
  'rm',
  'mkdir',
  'mktemp',
  'timeout',
  'true',
  'false',
  'sed',
  'grep',
  'find',
  'awk',
  'ls',
  'dirname',
  'basename',
  'base64',
  'od',
  'stat',
  'kill',
  'sort',
  'tee',
  'touch',
  'seq',
  'id',
  'cp',
  'mv',
  'ln',
  'chmod',
  'dd',
  'sha256sum',
  'xargs',
  'uname',
];
/** Always present, as in provided.al2023 (its coreutils include sleep, which the never-calls-next fixture uses). */
const BASE_TOOLS = ['sh', 'env', 'sleep'];
/** Tools a runtime.yaml `requires` that build it rather than run it. */
const BUILD_TOOLS = new Set(['go', 'cargo', 'make', 'g++', 'gcc', 'cmake', 'autoconf', 'automake', 'libtoolize', 'npm', 'pip']);
/** Standard-library folders no runtime imports (tests, GUI, installers): about half of python3.11's size. */
const PYTHON_STDLIB_SKIP = [
  'test',
  'idlelib',
  'tkinter',
  'turtledemo',
  'ensurepip',
  'lib2to3',
  'pydoc_data',
  'config-3.11-x86_64-linux-gnu',
];
/** Never copied from a runtime's folder: build output and caches a deployment package would not hold. */
const TASK_SKIP = ['.git', 'target', '__pycache__', '.lambdaspec-build'];

/** Lambda's PATH entries: an interpreter elsewhere on the host gets a link in /usr/local/bin. */
const LAMBDA_PATH_DIRS = ['/usr/local/bin', '/usr/bin', '/bin', '/opt/bin'];

/** The host commands a runtime's language needs in its image, besides its own files. */
export function interpreterCommands(runtime: ResolvedRuntime): { required: string[]; optional: string[] } {
  const language = runtime.spec.language;
  const requires = (runtime.spec.requires ?? []).filter((r) => !BUILD_TOOLS.has(r));
  switch (language) {
    // An interpreted runtime's bootstrap is a shell script more often than not (`exec node "$(dirname "$0")/…"`):
    // it gets provided.al2023's shell and coreutils too.
    case 'python':
      return { required: ['/usr/bin/python3', ...requires], optional: [...BASE_TOOLS, ...SHELL_TOOLS] };
    case 'node':
      return { required: ['node', ...requires.filter((r) => r !== 'node')], optional: [...BASE_TOOLS, ...SHELL_TOOLS] };
    case 'bash':
    case 'shell':
      return { required: ['bash', ...requires.filter((r) => r !== 'bash')], optional: [...BASE_TOOLS, ...SHELL_TOOLS] };
    case 'go':
    case 'rust':
      // A compiled bootstrap: its own libraries (ldd) and the base tools.
      return { required: [], optional: BASE_TOOLS };
    default:
      return { required: requires, optional: [...BASE_TOOLS, ...SHELL_TOOLS] };
  }
}

export function isElf(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const b = Buffer.alloc(4);
    return readSync(fd, b, 0, 4, 0) === 4 && b.readUInt32BE(0) === 0x7f454c46;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Shared libraries (and the loader) an ELF file loads, as absolute host paths; none for a static binary. */
export function sharedLibraries(path: string): string[] {
  let out: string;
  try {
    out = execFileSync('ldd', [path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
  } catch {
    return []; // "not a dynamic executable"
  }
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const m = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m?.[1]) libs.push(m[1]);
  }
  return libs;
}

/** Python's standard-library folder, as the interpreter reports it. */
function pythonStdlib(python: string): string {
  return execFileSync(python, ['-c', 'import sysconfig; print(sysconfig.get_paths()["stdlib"])'], {
    encoding: 'utf8',
    timeout: 10_000,
  }).trim();
}

function walkFiles(dir: string, skip: readonly string[], visit: (path: string) => void): void {
  for (const name of readdirSync(dir).sort()) {
    if (skip.includes(name)) continue;
    const p = join(dir, name);
    const st = lstatSync(p);
    if (st.isDirectory()) walkFiles(p, skip, visit);
    else visit(p);
  }
}

/** Plan the image of a bundled (or folder) runtime. */
export function planRootfs(runtime: ResolvedRuntime): RootfsPlan {
  const entries: RootfsEntry[] = [];
  const seen = new Set<string>();
  const elfFiles: string[] = [];

  // Host files go to the same path, each symlink in the chain kept (so /usr/bin/python3 → python3.11 still works).
  const addHostPath = (path: string): void => {
    const dir = realpathSync(dirname(path));
    const full = join(dir, basename(path));
    if (seen.has(full)) return;
    seen.add(full);
    const st = lstatSync(full);
    if (st.isSymbolicLink()) {
      const link = readlinkSync(full);
      entries.push({ kind: 'symlink', target: full, link });
      addHostPath(resolve(dir, link));
    } else {
      entries.push({ kind: 'file', source: full, target: full });
      if (isElf(full)) elfFiles.push(full);
    }
  };

  // Merged /usr: /bin, /lib, /lib64 … are links on the host and must be in the image too, or nothing resolves.
  for (const top of ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32']) {
    const p = `/${top}`;
    try {
      if (lstatSync(p).isSymbolicLink()) entries.push({ kind: 'symlink', target: p, link: readlinkSync(p) });
    } catch {
      // Absent here.
    }
  }

  const { required, optional } = interpreterCommands(runtime);
  for (const command of [...required, ...optional]) {
    const path = which(command);
    if (!path) {
      if (required.includes(command))
        throw new UserError(`${runtime.spec.name}: its image needs "${command}", which is not installed on this machine`);
      continue;
    }
    addHostPath(path);
    // An interpreter outside Lambda's PATH (nvm, pyenv) is linked into /usr/local/bin.
    if (!command.includes('/') && !LAMBDA_PATH_DIRS.includes(dirname(path))) {
      entries.push({ kind: 'symlink', target: `/usr/local/bin/${command}`, link: realpathSync(path) });
    }
  }
  if (runtime.spec.language === 'python') {
    const stdlib = pythonStdlib('/usr/bin/python3');
    entries.push({ kind: 'tree', source: stdlib, target: stdlib, skip: PYTHON_STDLIB_SKIP });
    walkFiles(stdlib, PYTHON_STDLIB_SKIP, (p) => {
      if (p.endsWith('.so') && isElf(p)) elfFiles.push(p);
    });
  }

  entries.push({ kind: 'tree', source: runtime.dir, target: TASK_ROOT, skip: TASK_SKIP });
  walkFiles(runtime.dir, TASK_SKIP, (p) => {
    if (!lstatSync(p).isSymbolicLink() && isElf(p)) elfFiles.push(p);
  });

  const libs = new Set<string>();
  for (const f of elfFiles) for (const lib of sharedLibraries(f)) libs.add(lib);
  for (const lib of [...libs].sort()) addHostPath(lib);

  entries.push({ kind: 'text', target: '/etc/passwd', text: 'root:x:0:0:root:/root:/bin/sh\n', mode: 0o644 });
  entries.push({ kind: 'text', target: '/etc/group', text: 'root:x:0:\n', mode: 0o644 });

  const rel = relative(runtime.dir, runtime.bootstrap);
  if (rel.startsWith('..'))
    throw new UserError(`${runtime.spec.name}: bootstrap ${runtime.bootstrap} is outside the runtime folder ${runtime.dir}`);
  return { entries, bootstrap: join(TASK_ROOT, rel) };
}

/** A hash of everything the image would hold (paths, modes, bytes, link texts): the image tag, so rebuilds are cached. */
export function planHash(plan: RootfsPlan, salt: string): string {
  const h = createHash('sha256');
  h.update(`${salt}\0${plan.bootstrap}\0`);
  const file = (source: string, target: string): void => {
    const st = lstatSync(source);
    if (st.isSymbolicLink()) {
      h.update(`L ${target} ${readlinkSync(source)}\0`);
      return;
    }
    h.update(`F ${target} ${(st.mode & 0o7777).toString(8)} ${st.size}\0`);
    h.update(readFileSync(source));
  };
  for (const e of plan.entries) {
    switch (e.kind) {
      case 'file':
        file(e.source, e.target);
        break;
      case 'symlink':
        h.update(`L ${e.target} ${e.link}\0`);
        break;
      case 'text':
        h.update(`T ${e.target} ${e.mode.toString(8)} ${e.text}\0`);
        break;
      case 'tree':
        walkFiles(e.source, e.skip, (p) => file(p, join(e.target, relative(e.source, p))));
        break;
    }
  }
  return h.digest('hex');
}

function ensureParent(root: string, target: string): string {
  const dest = join(root, target);
  mkdirSync(dirname(dest), { recursive: true });
  return dest;
}

function copyPreserving(source: string, dest: string): void {
  const st = lstatSync(source);
  if (st.isSymbolicLink()) {
    if (!existsSync(dest) && !isDanglingLink(dest)) symlinkSync(readlinkSync(source), dest);
    return;
  }
  copyFileSync(source, dest);
  chmodSync(dest, st.mode & 0o7777);
  // Python checks a .pyc against its source's mtime: keep it, or every fresh container recompiles the stdlib.
  utimesSync(dest, st.atime, st.mtime);
}

function isDanglingLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Write the planned files into `root` (an empty folder). Top-level links come first, so later paths go through them. */
export function stageRootfs(plan: RootfsPlan, root: string): void {
  for (const dir of ['tmp', 'var/task', 'opt', 'proc', 'sys', 'dev', 'etc', 'root']) mkdirSync(join(root, dir), { recursive: true });
  chmodSync(join(root, 'tmp'), 0o1777);
  const ordered = [...plan.entries].sort((a, b) => rank(a) - rank(b));
  for (const e of ordered) {
    switch (e.kind) {
      case 'symlink': {
        const dest = ensureParent(root, e.target);
        if (!existsSync(dest) && !isDanglingLink(dest)) symlinkSync(e.link, dest);
        break;
      }
      case 'file':
        copyPreserving(e.source, ensureParent(root, e.target));
        break;
      case 'text':
        writeFileSync(ensureParent(root, e.target), e.text, { mode: e.mode });
        break;
      case 'tree':
        walkFiles(e.source, e.skip, (p) => copyPreserving(p, ensureParent(root, join(e.target, relative(e.source, p)))));
        break;
    }
  }
}

function rank(e: RootfsEntry): number {
  // Top-level links (/bin → usr/bin) before anything that goes through them.
  if (e.kind === 'symlink' && dirname(e.target) === '/') return 0;
  return 1;
}
