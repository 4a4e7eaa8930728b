/** The p-quantile (0–1) of ascending `sorted` values, nearest rank from below; NaN when empty. */
export function quantile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}
