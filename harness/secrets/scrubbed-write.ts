/**
 * Writing a file lambdaspec produces for people to share (reports, recordings, snapshots, bench/load/soak
 * results): the text is scrubbed as a whole just before it is written, the last line of defence behind the
 * scrubbing done where runtime text enters a report.
 */
import { writeFileAtomic } from '../lib/atomic-write.ts';
import { scrubFile } from './scrub.ts';

export function writeScrubbedFile(path: string, text: string): void {
  writeFileAtomic(path, scrubFile(text));
}
