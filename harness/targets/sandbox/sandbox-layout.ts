/**
 * What the runtime sees inside the sandbox, as Lambda lays it out: the function at /var/task, layers at /opt, a
 * writable /tmp, the bootstrap found at /var/task/bootstrap or else /opt/bootstrap — and the bwrap arguments that
 * build that view from host paths.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export const TASK_ROOT = '/var/task';
export const LAYERS_ROOT = '/opt';
/** Lambda's sbx_user1051 runs as uid 993, gid 990. */
export const SANDBOX_UID = 993;
export const SANDBOX_GID = 990;

export interface SandboxLayout {
  /** Host folder shown read-only at /var/task. */
  taskRoot: string;
  /** Host layer folders, merged read-only into /opt in order (a later layer's entry wins, as Lambda extracts them). */
  layers: readonly string[];
  /** Host folder shown writable at /tmp (one per execution environment). */
  tmp: string;
}

export interface SandboxBootstrap {
  /** The host file that will run. */
  host: string;
  /** Its path inside the sandbox. */
  inside: string;
  /** Set when the file lives outside the task root and layers (a suite's bootstrap variant): bound at `inside`. */
  bind?: string;
}

function within(root: string, path: string): string | undefined {
  const rel = relative(root, path);
  return rel && !rel.startsWith('..') && !rel.startsWith(sep) ? rel : undefined;
}

/**
 * Lambda's lookup: /var/task/bootstrap, then /opt/bootstrap. A configured bootstrap inside the task root keeps its
 * relative path; one outside it (a broken variant a case writes to a scratch folder) is shown as /var/task/bootstrap
 * over the runtime's own when that exists, else at /var/runtime/bootstrap (where RIE looks last).
 */
export function locateBootstrap(hostBootstrap: string, layout: Pick<SandboxLayout, 'taskRoot' | 'layers'>): SandboxBootstrap {
  const rel = within(layout.taskRoot, hostBootstrap);
  if (rel !== undefined) {
    if (!existsSync(hostBootstrap)) {
      for (const layer of [...layout.layers].reverse()) {
        const candidate = join(layer, 'bootstrap');
        if (existsSync(candidate)) return { host: candidate, inside: `${LAYERS_ROOT}/bootstrap` };
      }
    }
    return { host: hostBootstrap, inside: `${TASK_ROOT}/${rel.split(sep).join('/')}` };
  }
  const inside = existsSync(join(layout.taskRoot, 'bootstrap')) ? `${TASK_ROOT}/bootstrap` : '/var/runtime/bootstrap';
  return { host: hostBootstrap, inside, bind: hostBootstrap };
}

/** Rewrite host paths of the task root (and the bootstrap) inside one string: env values, arguments. */
export function translatePaths(value: string, layout: Pick<SandboxLayout, 'taskRoot'>, bootstrap?: SandboxBootstrap): string {
  let out = value;
  if (bootstrap) out = replacePath(out, bootstrap.host, bootstrap.inside);
  return replacePath(out, layout.taskRoot, TASK_ROOT);
}

function replacePath(value: string, from: string, to: string): string {
  if (!from || from === '/') return value;
  const escaped = from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // Only whole path components: /srv/rt must not rewrite /srv/rt2.
  return value.replace(new RegExp(`${escaped}(?=$|[/:;\\s])`, 'g'), to);
}

/**
 * bwrap arguments up to (not including) `--`. The host's / is bound read-only so interpreters (python3, node,
 * bash, curl, jq) are found at their usual paths, much as Lambda's base image has them at fixed ones; /var and /opt
 * are replaced by Lambda's own contents.
 */
/** The root every sandbox starts from (and the availability probe tries): the host read-only, fresh /dev, /proc, /var. */
export const BWRAP_ROOT_ARGS: readonly string[] = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/var'];

export function bwrapArgs(layout: SandboxLayout, bootstrap: SandboxBootstrap): string[] {
  const args = [...BWRAP_ROOT_ARGS, '--ro-bind', layout.taskRoot, TASK_ROOT, '--tmpfs', LAYERS_ROOT];
  // Merging layers needs no overlayfs: bind each top-level entry, later layers over earlier ones.
  for (const layer of layout.layers) {
    for (const entry of readdirSync(layer).sort()) args.push('--ro-bind', join(layer, entry), `${LAYERS_ROOT}/${entry}`);
  }
  args.push('--remount-ro', LAYERS_ROOT);
  if (bootstrap.bind) {
    if (bootstrap.inside.startsWith('/var/runtime/')) args.push('--dir', '/var/runtime');
    args.push('--ro-bind', bootstrap.bind, bootstrap.inside);
  }
  args.push(
    '--bind',
    layout.tmp,
    '/tmp',
    '--unshare-user',
    '--uid',
    String(SANDBOX_UID),
    '--gid',
    String(SANDBOX_GID),
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--hostname',
    'localhost',
    '--die-with-parent',
    '--chdir',
    TASK_ROOT,
  );
  return args;
}
