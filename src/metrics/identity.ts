import type { FamilyCatalogue, SeriesGroup, WithOrg } from './types.js';

/**
 * A record's series identity, and THE rule for repeats of it: both readers of stored records use it (the
 * exporter's renderer, and the collector when a family reads another family's snapshot with ctx.readRecords),
 * so /metrics and the collector's joins see the same records. Pure; imports only the catalogue's types.
 *
 * The identity group of a record is, among the catalogue groups that render it (their `select`), the one with
 * the fewest labels: in every family the other groups only add descriptive labels to it (a VPN path's info
 * group adds its WAN and router names; tests/unit/metrics-identity.test.ts holds every registered family to it).
 * So two records with the identity group's label values in common would repeat its series, whatever their
 * descriptive labels: the first one wins, whole, and the repeat is dropped and counted. A record no group renders
 * has no series and so no identity (a family's bookkeeping records, e.g. a cursor without metrics of its own).
 */

/** Indexes of the groups that render `row`, in catalogue order. */
export function selectedGroups<Row>(groups: readonly SeriesGroup<Row>[], row: Row): number[] {
  const selected: number[] = [];
  for (let g = 0; g < groups.length; g++) if (!groups[g]!.select || groups[g]!.select!(row)) selected.push(g);
  return selected;
}

/** Among the selected groups, the identity group: the fewest labels, the first one on a tie. */
export function identityGroup<Row>(groups: readonly SeriesGroup<Row>[], selected: readonly number[]): number {
  let best = selected[0]!;
  for (const g of selected) if (groups[g]!.labels.length < groups[best]!.labels.length) best = g;
  return best;
}

/**
 * The identity key of a record whose identity group is `group` with these label values (JSON: injective, so no
 * label value can make two identities collide).
 */
export function identityKey(group: number, values: readonly string[]): string {
  return JSON.stringify([group, ...values]);
}

/** A record's identity key, or null when no group of the catalogue renders it. */
export function seriesIdentity<R>(catalogue: Pick<FamilyCatalogue<R>, 'groups'>, row: WithOrg<R>): string | null {
  const selected = selectedGroups(catalogue.groups, row);
  if (selected.length === 0) return null;
  const g = identityGroup(catalogue.groups, selected);
  return identityKey(g, catalogue.groups[g]!.labelValues(row));
}

/** First-wins over identity keys of one snapshot: `admit` says whether a record is the first of its identity. */
export class FirstOfIdentity {
  private readonly seen = new Set<string>();
  /** Repeats refused so far. */
  repeats = 0;

  admit(key: string): boolean {
    if (this.seen.has(key)) {
      this.repeats += 1;
      return false;
    }
    this.seen.add(key);
    return true;
  }
}

/**
 * One org's stored records of a family with repeats removed (first wins), in order, as they were (raw: a reader
 * may validate them with a narrower schema afterwards). A record failing the catalogue's schema has no identity
 * here and is passed on as is: its reader's own validation decides about it. A snapshot read in slices passes
 * the same `first` to each (its `repeats` then counts them all).
 */
export function dropRepeats<R>(
  catalogue: Pick<FamilyCatalogue<R>, 'groups' | 'schema'>, orgId: string, raw: readonly unknown[], first = new FirstOfIdentity(),
): { records: unknown[]; repeats: number } {
  const records: unknown[] = [];
  for (const r of raw) {
    const parsed = catalogue.schema.safeParse(r);
    const key = parsed.success ? seriesIdentity(catalogue, { ...parsed.data, org_id: orgId }) : null;
    if (key === null || first.admit(key)) records.push(r);
  }
  return { records, repeats: first.repeats };
}

export const repeatReason = (family: string): string => `repeated ${family} record in the store (same series identity as an earlier one)`;
