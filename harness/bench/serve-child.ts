/**
 * `lambdaspec serve` as the emulator benchmark runs it, in a process of its own (so its CPU time and memory are
 * read from /proc like RIE's): the same LocalEnvironment (prewarmed) behind the same InvokeFront as
 * serve-command.ts builds, with the wire recording switchable, which the CLI keeps off. Prints `listening` once
 * the front accepts; SIGTERM closes the environment and exits.
 *
 * argv: <runtime dir> <port> <record: on|off>
 */
import { LocalEnvironment } from '../environment/local-environment.ts';
import { InvokeFront } from '../invoke/front.ts';
import { functionConfigFor, resolveRuntime } from '../runtime-definition/resolve-runtime.ts';

const [runtimeArg, portArg, recordArg] = process.argv.slice(2);
if (!runtimeArg || !portArg || (recordArg !== 'on' && recordArg !== 'off')) {
  process.stderr.write('usage: serve-child <runtime dir> <port> on|off\n');
  process.exit(2);
}
const config = functionConfigFor(resolveRuntime(runtimeArg), { functionName: 'function' });
const env = await LocalEnvironment.create(config, { hostPath: process.env['PATH'] ?? '', record: recordArg === 'on' });
const front = new InvokeFront({ port: Number(portArg), resolve: (name) => (name === 'function' ? env : undefined) });
await front.start();
void env.init().catch(() => undefined);
process.stdout.write('listening\n');
process.on('SIGTERM', () => {
  void Promise.all([front.close(), env.close()]).finally(() => process.exit(0));
});
