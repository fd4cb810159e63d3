/**
 * `--emulate`: running a bootstrap built for the other architecture under qemu user-mode emulation. When the kernel
 * has a binfmt_misc handler for it, exec works as is; otherwise (binfmt_misc not mounted, as in most containers)
 * the bootstrap is started explicitly as `qemu-<arch>-static <bootstrap> …`, which works for static binaries and
 * for binaries whose libraries exist for that architecture. We never register a binfmt handler ourselves: that
 * changes the host for every process, not just ours.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../lib/user-error.ts';
import { which } from '../../lib/which.ts';
import { hostArchitecture, readElfInfo, type Architecture } from '../../process/elf.ts';

export type EmulationMode =
  /** The runtime is built for this machine: nothing to emulate. */
  | 'native'
  /** Foreign runtime, no --emulate: exec fails as on Lambda ("exec format error"). */
  | 'off'
  /** A binfmt_misc handler is registered: the kernel runs foreign binaries through qemu by itself. */
  | 'binfmt'
  /** No handler: the harness starts foreign ELF bootstraps as `<emulator> <bootstrap> …`. */
  | 'explicit';

export interface EmulationPlan {
  mode: EmulationMode;
  /** The function's architecture. */
  architecture: Architecture;
  /** Absolute path of qemu-<arch>-static (explicit mode). */
  emulator?: string;
  /** Says which mode is used and why, for logs and reports. */
  note?: string;
}

const QEMU_NAME: Record<Architecture, string> = { arm64: 'qemu-aarch64', x86_64: 'qemu-x86_64' };
const BINFMT_DIR = '/proc/sys/fs/binfmt_misc';

/** Whether the kernel has an enabled binfmt_misc handler named `name` (e.g. qemu-aarch64). */
export function binfmtRegistered(name: string, dir = BINFMT_DIR): boolean {
  try {
    return readFileSync(join(dir, name), 'utf8').split('\n')[0] === 'enabled';
  } catch {
    return false;
  }
}

export function planEmulation(
  architecture: Architecture,
  emulate: boolean,
  host: Architecture = hostArchitecture(),
  binfmtDir = BINFMT_DIR,
): EmulationPlan {
  if (architecture === host) return { mode: 'native', architecture };
  if (!emulate) {
    return {
      mode: 'off',
      architecture,
      note: `${architecture} runtime on an ${host} machine: without --emulate it cannot start here (fork/exec …: exec format error, Runtime.InvalidEntrypoint)`,
    };
  }
  const name = QEMU_NAME[architecture];
  if (binfmtRegistered(name, binfmtDir)) {
    return { mode: 'binfmt', architecture, note: `${architecture} emulated through the registered binfmt_misc handler ${name}` };
  }
  const emulator = which(`${name}-static`);
  if (!emulator) {
    throw new UserError(
      `--emulate: cannot run ${architecture} binaries here: no binfmt_misc handler ${name} is registered and ${name}-static is not installed (apt-get install qemu-user-static)`,
    );
  }
  const why = existsSync(join(binfmtDir, 'register')) ? `no ${name} handler is registered in ${binfmtDir}` : `${binfmtDir} is not mounted`;
  return {
    mode: 'explicit',
    architecture,
    emulator,
    note: `${architecture} emulated by starting the bootstrap as \`${emulator} <bootstrap>\` (${why}); works for static binaries`,
  };
}

/** True when `hostPath` is an ELF that the plan's emulator must start (explicit mode only). */
export function needsEmulator(plan: EmulationPlan, hostPath: string): boolean {
  return plan.mode === 'explicit' && readElfInfo(hostPath)?.arch === plan.architecture;
}
