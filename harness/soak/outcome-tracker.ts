/** Remembers the first outcome of each repeated case or invocation and reports every later one that differs. */
import type { OutcomeDifference } from './soak-report.ts';

export class OutcomeTracker {
  private readonly first = new Map<string, string>();
  readonly differences: OutcomeDifference[] = [];

  /** `signature` is what must stay the same; `detail` is what the report shows when it does not. */
  observe(what: string, signature: string, detail: string, round: number, atMs: number): void {
    const first = this.first.get(what);
    if (first === undefined) this.first.set(what, signature);
    else if (first !== signature) this.differences.push({ what, round, atMs: Math.round(atMs), first, now: detail });
  }
}
