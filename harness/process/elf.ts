/** Reading an ELF header's e_machine, so a binary built for another architecture is caught before exec. */
import { closeSync, openSync, readSync } from 'node:fs';

export type Architecture = 'x86_64' | 'arm64';

export interface ElfInfo {
  machine: number;
  /** 'x86_64', 'arm64', 'i386', 'arm', 'riscv64', 'ppc64', 's390x', or `e_machine <n>`. */
  arch: string;
  bits: 32 | 64;
  littleEndian: boolean;
}

const MACHINES: Record<number, string> = {
  3: 'i386',
  8: 'mips',
  20: 'ppc',
  21: 'ppc64',
  22: 's390x',
  40: 'arm',
  62: 'x86_64',
  183: 'arm64',
  243: 'riscv64',
};

export function elfInfoFromHeader(header: Buffer): ElfInfo | undefined {
  if (header.length < 20 || header[0] !== 0x7f || header[1] !== 0x45 || header[2] !== 0x4c || header[3] !== 0x46) return undefined;
  const bits = header[4] === 2 ? 64 : 32;
  const littleEndian = header[5] !== 2;
  const machine = littleEndian ? header.readUInt16LE(18) : header.readUInt16BE(18);
  return { machine, arch: MACHINES[machine] ?? `e_machine ${machine}`, bits, littleEndian };
}

/** undefined when the file is not an ELF (no \x7fELF magic) or cannot be read. */
export function readElfInfo(path: string): ElfInfo | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const header = Buffer.alloc(64);
    const n = readSync(fd, header, 0, 64, 0);
    return elfInfoFromHeader(header.subarray(0, n));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function toLambdaArchitecture(arch: string): Architecture | undefined {
  const a = arch.toLowerCase();
  if (a === 'x86_64' || a === 'amd64' || a === 'x64') return 'x86_64';
  if (a === 'arm64' || a === 'aarch64') return 'arm64';
  return undefined;
}

export function hostArchitecture(): Architecture {
  return process.arch === 'arm64' ? 'arm64' : 'x86_64';
}
