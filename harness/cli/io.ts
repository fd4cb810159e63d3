import { scrub } from '../secrets/scrub.ts';

/** The CLI's streams, injectable so commands can be tested in-process. */
export interface Io {
  out(text: string): void;
  outBytes(bytes: Uint8Array): void;
  err(text: string): void;
  readStdin(): Promise<Buffer>;
  /** True when stderr is a terminal (progress display), false in CI and pipes. */
  isTTY: boolean;
}

export const processIo: Io = {
  out: (text) => void process.stdout.write(text),
  outBytes: (bytes) => void process.stdout.write(bytes),
  err: (text) => void process.stderr.write(text),
  readStdin: async () => {
    const parts: Buffer[] = [];
    for await (const chunk of process.stdin) parts.push(chunk as Buffer);
    return Buffer.concat(parts);
  },
  isTTY: process.stderr.isTTY === true,
};

/**
 * `io` with every line of text scrubbed of secrets (known values and credential shapes) before it reaches the
 * terminal. Raw bytes (a response body on stdout) pass as they are: commands scrub what they print as text.
 */
export function scrubbedIo(io: Io): Io {
  return { ...io, out: (text) => io.out(scrub(text)), err: (text) => io.err(scrub(text)) };
}

/** An Io that collects output, for tests. */
export function memoryIo(stdin = ''): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: (t) => void (out += t),
    outBytes: (b) => void (out += Buffer.from(b).toString('utf8')),
    err: (t) => void (err += t),
    readStdin: async () => Buffer.from(stdin),
    isTTY: false,
    stdout: () => out,
    stderr: () => err,
  };
}
