/** Reports and recordings are written to a temp file and renamed, so an interrupted run never leaves half a file. */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensureFolder } from './output-path.ts';
import { UserError } from './user-error.ts';

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  ensureFolder(dirname(path));
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    // A full disk or a folder where the file should be: no stray temp file, one line naming the path.
    rmSync(tmp, { force: true });
    throw new UserError(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e))}`);
  }
}
