/** Edit distance (insertions, deletions, substitutions and swaps of neighbours each cost 1). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The candidate closest to `name` (case-insensitive), when it is close enough to be a typo: at most a third of
 * the name's length in edits (at least 1, at most 3), or the one candidate that the name is a whole-word start of,
 * or that is one of the name (EXPORTER_REFRESH → EXPORTER_REFRESH_SECONDS, MIST_HOST_URL → MIST_HOST). Undefined when nothing is close or two candidates tie.
 */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  const upper = name.toUpperCase();
  const limit = Math.min(3, Math.max(1, Math.floor(upper.length / 3)));
  const scored = candidates
    .map((c) => ({ c, d: editDistance(upper, c.toUpperCase()) }))
    .filter(({ d }) => d <= limit)
    .sort((x, y) => x.d - y.d);
  if (scored.length > 0) return scored.length > 1 && scored[0]!.d === scored[1]!.d ? undefined : scored[0]!.c;
  const prefixed = candidates.filter((c) => c.toUpperCase().startsWith(`${upper}_`) || upper.startsWith(`${c.toUpperCase()}_`));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}
