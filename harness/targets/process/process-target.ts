/** The `process` target: the bootstrap runs as a plain local process (the default), optionally under qemu. */
import type { LocalEnvironmentOptions } from '../../environment/local-environment.ts';
import { needsEmulator, planEmulation } from '../common/emulation.ts';
import type { Target } from '../common/target.ts';
import { launchProcess } from '../../process/process-runner.ts';

export const processTarget: Target = {
  name: 'process',
  unavailable: () => Promise.resolve(undefined),
  prepare(runtime, opts) {
    const plan = planEmulation(runtime.spec.architecture, opts.emulate === true);
    const environment: LocalEnvironmentOptions = {};
    if (plan.mode === 'binfmt' || plan.mode === 'explicit') environment.allowForeignArch = true;
    if (plan.mode === 'explicit') {
      const emulator = plan.emulator!;
      environment.launch = (spec) =>
        needsEmulator(plan, spec.command)
          ? launchProcess({ ...spec, command: emulator, args: [spec.command, ...spec.args] })
          : launchProcess(spec);
    }
    return Promise.resolve({ environment, ...(plan.note ? { note: plan.note } : {}), close: () => Promise.resolve() });
  },
};
