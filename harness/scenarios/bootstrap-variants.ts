/**
 * Broken bootstraps for lifecycle cases: each variant is written into a fresh folder, so the runtime's own files are
 * never touched. Lambda looks for the bootstrap in the task root; here the variant's path replaces it.
 */
import { chmodSync, copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Architecture } from '../process/elf.ts';
import type { BootstrapVariant } from './suite-model.ts';

/** A minimal ELF64 header whose e_machine names the other architecture (enough for exec to refuse it). */
export function foreignElfHeader(host: Architecture): Buffer {
  const header = Buffer.alloc(64);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(header);
  header.writeUInt16LE(2, 16); // ET_EXEC
  header.writeUInt16LE(host === 'arm64' ? 62 : 183, 18);
  header.writeUInt32LE(1, 20);
  return header;
}

/** Write the variant into `dir` and return the bootstrap path to run. */
export function materialiseBootstrap(variant: BootstrapVariant, dir: string, original: string, architecture: Architecture): string {
  const path = join(dir, 'bootstrap');
  switch (variant) {
    case 'missing':
      return path;
    case 'not-executable':
      copyFileSync(original, path);
      chmodSync(path, 0o644);
      return path;
    case 'crlf-shebang':
      writeFileSync(path, '#!/bin/sh\r\necho "this line never runs"\r\n');
      break;
    case 'no-shebang':
      // A shell would run this (execvp's ENOEXEC fallback); Lambda's exec fails.
      writeFileSync(path, 'echo "this line never runs"\n');
      break;
    case 'interpreter-missing':
      writeFileSync(path, '#!/nonexistent/lambdaspec-interpreter\necho "this line never runs"\n');
      break;
    case 'env-interpreter-missing':
      writeFileSync(path, '#!/usr/bin/env lambdaspec-missing-interpreter\necho "this line never runs"\n');
      break;
    case 'foreign-architecture':
      writeFileSync(path, foreignElfHeader(architecture));
      break;
    case 'exits-before-next':
      // Starts, logs, and exits with status 2 before ever asking for an event (a crash during init).
      writeFileSync(path, '#!/bin/sh\necho "bootstrap giving up before /next" >&2\nexit 2\n');
      break;
    case 'never-calls-next':
      // Starts and stays alive without ever calling /next: only the init limit ends it.
      writeFileSync(path, '#!/bin/sh\necho "bootstrap that never polls"\nexec sleep 3600\n');
      break;
  }
  chmodSync(path, 0o755);
  return path;
}
