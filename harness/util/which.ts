/** Where a command is: the first PATH entry (then /usr/bin, /usr/local/bin) that holds it. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export function which(cmd: string): string | undefined {
  for (const d of [...(process.env['PATH'] ?? '').split(':'), '/usr/bin', '/usr/local/bin']) {
    if (d && existsSync(join(d, cmd))) return join(d, cmd);
  }
  return undefined;
}
