/** Run the `lambdaspec` CLI in-process, as the tests of commands do: its exit code and what it printed. */
import { memoryIo } from '../cli/io.ts';
import { main } from '../cli/main.ts';

export async function cli(args: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo(stdin);
  const code = await main(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}
