/**
 * Classify a bootstrap before spawning it, worded as Lambda (Go's fork/exec) reports it. Node's spawn would blur
 * these: a foreign ELF shows as exit 127 and a missing interpreter as ENOENT on an existing file.
 */
import { accessSync, closeSync, constants, existsSync, openSync, readSync, statSync } from 'node:fs';
import { hostArchitecture, readElfInfo, type Architecture } from './elf.ts';

export type BootstrapProblemKind =
  'missing' | 'not-a-file' | 'not-executable' | 'interpreter-missing' | 'crlf-shebang' | 'no-shebang' | 'arch-mismatch';

export interface BootstrapProblem {
  kind: BootstrapProblemKind;
  errorType: 'Runtime.InvalidEntrypoint';
  /** Lambda-style message without the `RequestId: … Error: ` prefix. */
  message: string;
  /** Our explanation, for reports. */
  detail: string;
}

export interface BootstrapCheckOptions {
  architecture: Architecture;
  /** Allow an ELF of the function's architecture that this machine cannot run natively (an emulator runs it). */
  allowForeignArch?: boolean;
  /** The machine's own architecture (default: this process's). */
  hostArchitecture?: Architecture;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    // As root, X_OK holds when any exec bit is set; with none set, exec still fails with EACCES.
    return (statSync(path).mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

function firstLine(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(256);
    const n = readSync(fd, buf, 0, 256, 0);
    const text = buf.subarray(0, n).toString('latin1');
    const nl = text.indexOf('\n');
    return nl >= 0 ? text.slice(0, nl) : text;
  } finally {
    closeSync(fd);
  }
}

export function checkBootstrap(path: string, options: BootstrapCheckOptions): BootstrapProblem | undefined {
  const problem = (kind: BootstrapProblemKind, message: string, detail: string): BootstrapProblem => ({
    kind,
    errorType: 'Runtime.InvalidEntrypoint',
    message,
    detail,
  });
  if (!existsSync(path)) return problem('missing', `Couldn't find valid bootstrap(s): [${path}]`, `${path} does not exist`);
  if (!statSync(path).isFile()) return problem('not-a-file', `fork/exec ${path}: permission denied`, `${path} is not a regular file`);
  if (!isExecutable(path)) return problem('not-executable', `fork/exec ${path}: permission denied`, `${path} has no execute permission`);

  const elf = readElfInfo(path);
  if (elf) {
    // Lambda refuses an ELF for any other architecture than the function's, emulated or not.
    if (elf.arch !== options.architecture) {
      return problem(
        'arch-mismatch',
        `fork/exec ${path}: exec format error`,
        `ELF built for ${elf.arch} (e_machine ${elf.machine}) but the function's architecture is ${options.architecture}`,
      );
    }
    // Built for the function's architecture but not this machine's: the kernel refuses it just the same (Node's
    // spawn would instead hand it to /bin/sh on ENOEXEC and report a shell syntax error).
    const host = options.hostArchitecture ?? hostArchitecture();
    if (!options.allowForeignArch && elf.arch !== host) {
      return problem(
        'arch-mismatch',
        `fork/exec ${path}: exec format error`,
        `ELF built for ${elf.arch} (the function's architecture) but this machine is ${host}: run with --emulate to use qemu`,
      );
    }
    return undefined;
  }

  const line = firstLine(path);
  if (!line.startsWith('#!')) {
    // Neither ELF nor `#!`: execve fails with ENOEXEC, which Go's os/exec (Lambda, RIE) reports as is. Node's
    // spawn (like the C library's execvp) would retry it through /bin/sh and the script would run here.
    return problem(
      'no-shebang',
      `fork/exec ${path}: exec format error`,
      'the bootstrap is neither an ELF binary nor a script starting with a #! line: Lambda does not run it through a shell',
    );
  }
  const interpreter = line.slice(2).trim().split(/[ \t]/)[0] ?? '';
  const raw =
    line
      .slice(2)
      .replace(/^[ \t]+/, '')
      .split(/[ \t]/)[0] ?? '';
  if (raw.endsWith('\r') || line.endsWith('\r')) {
    const named = JSON.stringify(raw.endsWith('\r') ? raw : `${raw}\r`);
    return problem(
      'crlf-shebang',
      `fork/exec ${path}: no such file or directory`,
      `the shebang line ends in CR: the file has CRLF line endings (${named} does not exist)`,
    );
  }
  // `#!/usr/bin/env foo` with foo missing is not caught here on purpose: env runs and exits 127, exactly as on
  // Lambda, and that real exit status is what the runtime's author should see.
  if (!interpreter || !existsSync(interpreter) || !isExecutable(interpreter)) {
    return problem(
      'interpreter-missing',
      `fork/exec ${path}: no such file or directory`,
      `interpreter ${JSON.stringify(interpreter)} named by the shebang does not exist or is not executable`,
    );
  }
  return undefined;
}
