/**
 * Text bound for a terminal: a runtime's ESC, BEL, NUL or CR must not retitle the terminal, clear the screen or
 * overwrite a line, so every control character except tab and newline is shown as `\uXXXX` (as the reports show
 * them). The one sequence kept is the CLI's own progress line reset, `\r\x1b[K`, at the start of a write.
 */
import type { Io } from './io.ts';

/** The CLI's progress display rewrites its line with this; runtime text never comes first in a write. */
const LINE_RESET = '\r\x1b[K';
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function forTerminal(text: string): string {
  const keep = text.startsWith(LINE_RESET) ? LINE_RESET : '';
  return keep + text.slice(keep.length).replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The same Io with its text streams escaped; `outBytes` (a response body, meant for a pipe or a file) stays raw. */
export function terminalSafe(io: Io): Io {
  return {
    out: (text) => io.out(forTerminal(text)),
    outBytes: (bytes) => io.outBytes(bytes),
    err: (text) => io.err(forTerminal(text)),
    readStdin: () => io.readStdin(),
    get isTTY() {
      return io.isTTY;
    },
  };
}
