import { describe, expect, it } from 'vitest';
import { elfInfoFromHeader, hostArchitecture, readElfInfo, toLambdaArchitecture } from './elf.ts';

function header(machine: number, { bits = 64, big = false } = {}): Buffer {
  const h = Buffer.alloc(64);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, bits === 64 ? 2 : 1, big ? 2 : 1, 1]).copy(h);
  if (big) h.writeUInt16BE(machine, 18);
  else h.writeUInt16LE(machine, 18);
  return h;
}

describe('ELF header', () => {
  it('reads e_machine with the header endianness', () => {
    expect(elfInfoFromHeader(header(62))).toEqual({ machine: 62, arch: 'x86_64', bits: 64, littleEndian: true });
    expect(elfInfoFromHeader(header(183))).toMatchObject({ arch: 'arm64' });
    expect(elfInfoFromHeader(header(3, { bits: 32 }))).toMatchObject({ arch: 'i386', bits: 32 });
    expect(elfInfoFromHeader(header(22, { big: true }))).toMatchObject({ arch: 's390x', littleEndian: false });
    expect(elfInfoFromHeader(header(999))).toMatchObject({ arch: 'e_machine 999' });
  });

  it('is undefined for anything that is not an ELF', () => {
    expect(elfInfoFromHeader(Buffer.from('#!/bin/sh\necho hi\n'))).toBeUndefined();
    expect(elfInfoFromHeader(Buffer.from([0x7f, 0x45]))).toBeUndefined();
    expect(readElfInfo('/nonexistent')).toBeUndefined();
  });

  it('reads the real node binary as the host architecture', () => {
    expect(readElfInfo(process.execPath)?.arch).toBe(hostArchitecture());
  });

  it('maps architecture spellings to Lambda names', () => {
    expect(toLambdaArchitecture('amd64')).toBe('x86_64');
    expect(toLambdaArchitecture('x64')).toBe('x86_64');
    expect(toLambdaArchitecture('aarch64')).toBe('arm64');
    expect(toLambdaArchitecture('mips')).toBeUndefined();
  });
});
