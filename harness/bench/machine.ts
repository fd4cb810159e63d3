/** The machine a benchmark ran on, as every bench report records it (load averages are each report's own). */
import os from 'node:os';

export interface BenchMachine {
  cpus: number;
  cpuModel: string;
  node: string;
  platform: string;
}

export function benchMachine(): BenchMachine {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}
