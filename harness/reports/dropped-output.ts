/** How much of a runtime's output the harness did not keep, in words for reports and the terminal. */

/** "3.1 GB in 1.6 G lines dropped": how much of a runtime's output was not kept, for reports and the terminal. */
export function droppedSummary(dropped: { bytes: number; lines: number }): string | undefined {
  if (dropped.bytes === 0 && dropped.lines === 0) return undefined;
  return `${siAmount(dropped.bytes, 'B')} in ${siAmount(dropped.lines, '')} lines dropped`;
}

function siAmount(n: number, unit: string): string {
  const steps: Array<[number, string]> = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [scale, prefix] of steps) {
    if (n >= scale) return `${(n / scale).toFixed(1)} ${prefix}${unit}`;
  }
  return unit ? `${n} ${unit}` : String(n);
}
