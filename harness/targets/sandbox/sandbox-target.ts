/**
 * The `sandbox` target: each bootstrap runs under bubblewrap in a view shaped like a Lambda execution environment
 * (function read-only at /var/task, layers at /opt, writable /tmp per environment, cleared environment, own PID
 * namespace, uid 993/gid 990, host network for the loopback Runtime API, memory limit enforced by a watchdog).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FunctionConfig } from '../../model/invocation.ts';
import type { ResolvedRuntime } from '../../runtime-definition/resolve-runtime.ts';
import { UserError } from '../../lib/user-error.ts';
import { which } from '../../lib/which.ts';
import { planEmulation } from '../common/emulation.ts';
import { checkBootstrap, type BootstrapCheckOptions, type BootstrapProblem } from '../../process/bootstrap-check.ts';
import type { PreparedTarget, Target } from '../common/target.ts';
import { createSandboxLauncher } from './sandbox-launcher.ts';
import { BWRAP_ROOT_ARGS, LAYERS_ROOT, locateBootstrap, SANDBOX_GID, SANDBOX_UID, TASK_ROOT } from './sandbox-layout.ts';

let availability: Promise<string | undefined> | undefined;

/** bwrap present, and able to make the namespaces we ask for (user namespaces may be disabled on the host). */
export function sandboxUnavailable(): Promise<string | undefined> {
  availability ??= Promise.resolve().then(() => {
    const bwrap = which('bwrap');
    if (!bwrap) return 'bwrap not found on PATH (apt-get install bubblewrap)';
    const probe = spawnSync(
      bwrap,
      [
        ...BWRAP_ROOT_ARGS,
        '--unshare-user',
        '--uid',
        String(SANDBOX_UID),
        '--gid',
        String(SANDBOX_GID),
        '--unshare-pid',
        '--die-with-parent',
        '--',
        '/bin/true',
      ],
      { encoding: 'utf8', timeout: 10_000, env: {} },
    );
    if (probe.status !== 0)
      return `bwrap cannot create its sandbox here: ${(probe.stderr || probe.error?.message || `exit ${probe.status}`).trim()}`;
    return undefined;
  });
  return availability;
}

/** Host folders of the runtime's layers (runtime.yaml `layers`, relative to its folder). */
export function layerDirs(runtime: ResolvedRuntime): string[] {
  return (runtime.spec.layers ?? []).map((l) => {
    const dir = resolve(runtime.dir, l);
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw new UserError(`layer ${dir} (runtime.yaml layers of ${runtime.spec.name}) is not a folder`);
    return dir;
  });
}

/** The process target's checks on the file that will run, worded with the path the runtime sees. */
export function checkSandboxBootstrap(
  config: FunctionConfig,
  layers: readonly string[],
  options: BootstrapCheckOptions,
): BootstrapProblem | undefined {
  const bootstrap = locateBootstrap(config.bootstrap, { taskRoot: config.taskRoot, layers });
  const problem = checkBootstrap(bootstrap.host, options);
  if (!problem) return undefined;
  if (problem.kind === 'missing')
    return { ...problem, message: `Couldn't find valid bootstrap(s): [${TASK_ROOT}/bootstrap ${LAYERS_ROOT}/bootstrap]` };
  return { ...problem, message: problem.message.split(bootstrap.host).join(bootstrap.inside) };
}

export const sandboxTarget: Target = {
  name: 'sandbox',
  unavailable: sandboxUnavailable,
  async prepare(runtime, opts): Promise<PreparedTarget> {
    const reason = await sandboxUnavailable();
    if (reason) throw new UserError(`--target sandbox cannot run here: ${reason}`);
    const layers = layerDirs(runtime);
    const emulation = planEmulation(runtime.spec.architecture, opts.emulate === true);
    const launcher = createSandboxLauncher({ bwrap: which('bwrap')!, layers, emulation });
    const allowForeignArch = emulation.mode === 'binfmt' || emulation.mode === 'explicit';
    return {
      environment: {
        launch: launcher.launch,
        checkBootstrap: (config, options) => checkSandboxBootstrap(config, layers, options),
        onClose: (id) => launcher.release(id),
        ...(allowForeignArch ? { allowForeignArch: true } : {}),
      },
      ...(emulation.note ? { note: emulation.note } : {}),
      close: () => {
        launcher.close();
        return Promise.resolve();
      },
    };
  },
};
