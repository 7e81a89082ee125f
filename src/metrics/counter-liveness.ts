import type { CounterMetricDef, SeriesGroup } from './types.js';

/**
 * Which stored counter series are live: a counter series is shown only while the family's records still have
 * the thing it counts, so a decommissioned gateway's counters leave /metrics with its gauges, and the collector
 * prunes what stayed unseen for the retention (src/collect/counter-retention.ts). One rule, no per-family code:
 *
 * The counter's labels that a series group of the family also carries (its *scope*) must match the values of
 * some record of that group. The group sharing the most labels decides (the first one on a tie), e.g. flaps
 * {org_id,site_id,mac,port_id} against the port records, events by type {org_id,event_type} against any record
 * of the org; alarms seen {org_id,alarm_type,severity} by `liveBy: ['org_id']` against the alarms cursor record
 * (live while the org is collected, not only while an alarm of that kind is open). A counter that shares
 * no label with any group is always live. `CounterMetricDef.liveBy` names the scope explicitly where the rule
 * would pick wrong (some of the counter's labels; the first group carrying them all decides).
 */
export interface CounterScope {
  /** Index of the series group in the catalogue. */
  readonly group: number;
  /** The scope's label names, in the counter's order. */
  readonly labels: readonly string[];
  /** Where each scope label sits in the group's labels. */
  readonly at: readonly number[];
}

/** A counter's scope among the family's groups, or null: no group shares a label, always live. */
export function counterScope(def: Pick<CounterMetricDef, 'labels' | 'liveBy'>, groups: readonly Pick<SeriesGroup<never>, 'labels'>[]): CounterScope | null {
  if (def.liveBy) {
    const liveBy = def.liveBy;
    const group = groups.findIndex((g) => liveBy.every((l) => g.labels.includes(l)));
    if (group < 0 || !liveBy.every((l) => def.labels.includes(l))) {
      throw new RangeError(`liveBy [${liveBy.join(',')}] must be labels of the counter that one series group carries`);
    }
    return { group, labels: liveBy, at: liveBy.map((l) => groups[group]!.labels.indexOf(l)) };
  }
  let best: CounterScope | null = null;
  for (const [group, g] of groups.entries()) {
    const labels = def.labels.filter((l) => g.labels.includes(l));
    if (labels.length === 0 || (best && best.labels.length >= labels.length)) continue;
    best = { group, labels, at: labels.map((l) => g.labels.indexOf(l)) };
  }
  return best;
}

const key = (values: readonly string[]): string => values.join('\u0000');

/** The scope values of a family's rendered records, per counter; asks whether a counter's series is live. */
export class LiveCounters {
  private readonly scopes: (CounterScope | null)[];
  private readonly seen: Set<string>[];
  /** Per group: the counters whose scope it is. */
  private readonly byGroup: number[][];

  constructor(counters: readonly Pick<CounterMetricDef, 'labels' | 'liveBy'>[], groups: readonly Pick<SeriesGroup<never>, 'labels'>[]) {
    this.scopes = counters.map((c) => counterScope(c, groups));
    this.seen = counters.map(() => new Set<string>());
    this.byGroup = groups.map((_, g) => this.scopes.flatMap((s, c) => (s?.group === g ? [c] : [])));
  }

  /** Notes a record rendered by group `group` with the group's label values. */
  add(group: number, values: readonly string[]): void {
    for (const c of this.byGroup[group] ?? []) this.seen[c]!.add(key(this.scopes[c]!.at.map((i) => values[i] ?? '')));
  }

  /** Is the series of counter `counter` (by its index) with these labels (name → value) live? */
  isLive(counter: number, labels: Readonly<Record<string, string>>): boolean {
    const scope = this.scopes[counter];
    return !scope || this.seen[counter]!.has(key(scope.labels.map((l) => labels[l] ?? '')));
  }
}
