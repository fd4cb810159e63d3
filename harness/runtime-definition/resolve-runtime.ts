/**
 * Turn what a user typed for `<runtime>` — a folder with `runtime.yaml`, a bare bootstrap path, or the name of a
 * bundled runtime — into a described runtime and a Lambda function configuration for it.
 */
import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FunctionConfig } from '../model/invocation.ts';
import { loadRuntimeYaml, type RuntimeYaml } from './runtime-yaml.ts';
import { hostArchitecture } from '../process/elf.ts';
import { UserError } from '../lib/user-error.ts';

// The package root: a clone, or node_modules/lambdaspec (dist/<folder>/ is as deep as harness/<folder>/).
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUNDLED_RUNTIMES_DIR = join(REPO_ROOT, 'runtimes-under-test');

export interface ResolvedRuntime {
  /** The runtime's description (synthesised for a bare bootstrap). */
  spec: RuntimeYaml;
  /** Folder that becomes LAMBDA_TASK_ROOT. */
  dir: string;
  /** Absolute bootstrap path. */
  bootstrap: string;
  /** Where runtime.yaml was read from, if any. */
  yamlPath?: string;
}

export function bundledRuntimeNames(): string[] {
  if (!existsSync(BUNDLED_RUNTIMES_DIR)) return [];
  return readdirSync(BUNDLED_RUNTIMES_DIR)
    .filter((n) => existsSync(join(BUNDLED_RUNTIMES_DIR, n, 'runtime.yaml')))
    .sort();
}

export interface ResolveOptions {
  /** Fail (exit 2) when the bootstrap is missing or not executable. Off for runs that test exactly that. */
  requireBootstrap?: boolean;
}

export function resolveRuntime(arg: string, options: ResolveOptions = {}): ResolvedRuntime {
  const requireBootstrap = options.requireBootstrap ?? true;
  let path = resolve(arg);
  if (!existsSync(path)) {
    const bundled = join(BUNDLED_RUNTIMES_DIR, arg);
    if (!arg.includes('/') && existsSync(join(bundled, 'runtime.yaml'))) {
      path = bundled;
    } else {
      const names = bundledRuntimeNames();
      throw new UserError(
        `runtime "${arg}" not found: no such file or folder${names.length ? `, and no bundled runtime of that name (bundled: ${names.join(', ')})` : ''}`,
      );
    }
  }

  let resolved: ResolvedRuntime;
  if (statSync(path).isDirectory()) {
    const yamlPath = join(path, 'runtime.yaml');
    if (existsSync(yamlPath)) {
      const spec = loadRuntimeYaml(yamlPath);
      resolved = { spec, dir: path, bootstrap: resolve(path, spec.bootstrap), yamlPath };
    } else if (existsSync(join(path, 'bootstrap'))) {
      resolved = bareBootstrap(join(path, 'bootstrap'));
    } else {
      throw new UserError(`${path}: a runtime folder needs a runtime.yaml or a file named bootstrap`);
    }
  } else {
    resolved = bareBootstrap(path);
  }

  // A bootstrap that the runtime's build produces is checked after the build, not before.
  const built = resolved.spec.build?.produces.includes(resolved.spec.bootstrap) === true;
  if (requireBootstrap && !built) assertBootstrapUsable(resolved);
  return resolved;
}

/** Exit 2 (UserError) when the bootstrap is missing, not a file, or not executable. */
export function assertBootstrapUsable(resolved: ResolvedRuntime): void {
  const where = resolved.yamlPath ? ` (named by ${resolved.yamlPath})` : '';
  if (!existsSync(resolved.bootstrap)) throw new UserError(`bootstrap ${resolved.bootstrap}${where} does not exist`);
  if (!statSync(resolved.bootstrap).isFile()) throw new UserError(`bootstrap ${resolved.bootstrap}${where} is not a file`);
  try {
    accessSync(resolved.bootstrap, constants.X_OK);
    if ((statSync(resolved.bootstrap).mode & 0o111) === 0) throw new Error('no exec bit');
  } catch {
    throw new UserError(`bootstrap ${resolved.bootstrap}${where} is not executable (chmod +x it)`);
  }
}

function bareBootstrap(path: string): ResolvedRuntime {
  const dir = dirname(path);
  return {
    spec: {
      name: sanitiseName(basename(dir)),
      language: 'unknown',
      handler: 'probe.handler',
      bootstrap: basename(path),
      architecture: hostArchitecture(),
      capabilities: {},
    },
    dir,
    bootstrap: path,
  };
}

/** A runtime name (lower-case, dashes) made from a folder or file name. */
export function sanitiseName(s: string): string {
  const n = s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return n || 'function';
}

export interface FunctionOverrides {
  functionName?: string;
  memorySizeMb?: number;
  timeoutMs?: number;
  initTimeoutMs?: number;
  handler?: string;
  environment?: Record<string, string>;
  bootstrap?: string;
}

/** Lambda's defaults (128 MB, 3 s timeout, 10 s init limit) for a resolved runtime, with overrides. */
export function functionConfigFor(rt: ResolvedRuntime, o: FunctionOverrides = {}): FunctionConfig {
  return {
    functionName: o.functionName ?? rt.spec.name,
    version: '$LATEST',
    region: 'us-east-1',
    accountId: '123456789012',
    memorySizeMb: o.memorySizeMb ?? 128,
    timeoutMs: o.timeoutMs ?? 3000,
    initTimeoutMs: o.initTimeoutMs ?? 10_000,
    handler: o.handler ?? rt.spec.handler,
    taskRoot: rt.dir,
    bootstrap: o.bootstrap ?? rt.bootstrap,
    bootstrapArgs: rt.spec.bootstrapArgs ?? [],
    architecture: rt.spec.architecture,
    environment: { ...(rt.spec.environment ?? {}), ...(o.environment ?? {}) },
  };
}
