/** Where a command is: itself when it is a path, else the first PATH entry (then /usr/bin, /usr/local/bin) holding it. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export function which(cmd: string): string | undefined {
  if (cmd.includes('/')) return existsSync(cmd) ? cmd : undefined;
  for (const d of [...(process.env['PATH'] ?? '').split(':'), '/usr/bin', '/usr/local/bin']) {
    if (d && existsSync(join(d, cmd))) return join(d, cmd);
  }
  return undefined;
}
