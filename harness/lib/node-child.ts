/**
 * How to run a sibling module in a child Node process: from the compiled package its .js file; from the sources
 * (tests, a clone without a build) its .ts file through tsx, which only the development install has.
 */
import { fileURLToPath } from 'node:url';

/** `node` arguments that run `<relative>.js` or `<relative>.ts` next to the calling module (`import.meta.url`). */
export function nodeModuleArgs(callerUrl: string, relative: string): string[] {
  const fromSource = callerUrl.endsWith('.ts');
  const file = fileURLToPath(new URL(`${relative}${fromSource ? '.ts' : '.js'}`, callerUrl));
  return fromSource ? ['--import', 'tsx', file] : [file];
}
