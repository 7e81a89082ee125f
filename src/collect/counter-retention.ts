import type { Logger } from '../log.js';
import { FAMILY_CATALOGUES } from '../families/registry.js';
import { LiveCounters } from '../metrics/counter-liveness.js';
import type { FamilyCatalogue } from '../metrics/types.js';
import type { FamilyKey, Store } from '../store/types.js';
import { decodeLabels } from '../store/counters.js';
import { pacer } from './pace.js';

/**
 * Stored counters are pruned when what they count has been gone for this long (a decommissioned gateway, a
 * port no longer WAN, an org removed from the configuration). Long enough to outlast any outage or maintenance
 * (a thing back within it resumes its total, so the counter stays monotonic); short enough that Redis does not
 * grow with every gateway ever seen. A thing back after it restarts at 0, which Prometheus reads as a reset.
 */
export const COUNTER_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** The catalogue of a family whose metrics include stored counters, or null. */
function countersCatalogue(family: string): FamilyCatalogue<unknown> | null {
  const catalogue = FAMILY_CATALOGUES.find((c) => c.family === family) as FamilyCatalogue<unknown> | undefined;
  return catalogue?.counters?.length ? catalogue : null;
}

/** What one pass marked live and pruned. */
export interface RetentionPass {
  readonly live: number;
  readonly pruned: number;
}

/**
 * After a family of one org published: marks live the stored counter fields the exporter renders from this
 * snapshot (the renderer's own rule: src/metrics/counter-liveness.ts, so "kept" and "shown" never disagree),
 * then prunes the fields of the family's counter groups unmarked for `retentionMs`. Fields of other orgs are
 * marked by their own cycles. Null for a family without stored counters or without a snapshot.
 */
export async function keepLiveCounters(
  store: Store, key: FamilyKey, retentionMs: number, catalogue: FamilyCatalogue<unknown> | null = countersCatalogue(key.family),
): Promise<RetentionPass | null> {
  if (!catalogue?.counters?.length) return null;
  const snap = await store.readSnapshot(key);
  if (!snap) return null;
  const defs = catalogue.counters ?? [];
  const live = new LiveCounters(defs, catalogue.groups);
  // A whole snapshot of records: the event loop gets a turn every few milliseconds (src/collect/pace.ts).
  const pace = pacer();
  for (const page of snap.pages) {
    for (const raw of JSON.parse(page) as unknown[]) {
      await pace();
      const parsed = catalogue.schema.safeParse(raw);
      if (!parsed.success) continue;
      const row = { ...(parsed.data as object), org_id: key.orgId } as never;
      for (const [g, group] of catalogue.groups.entries()) {
        if (!group.select || group.select(row)) live.add(g, group.labelValues(row));
      }
    }
  }
  let marked = 0;
  for (const [c, def] of defs.entries()) {
    const fields: string[] = [];
    for (const field of Object.keys(await store.readCounters(def.group))) {
      await pace();
      const labels = decodeLabels(field);
      if (labels !== null && def.labels.every((l) => l in labels) && live.isLive(c, labels)) fields.push(field);
    }
    await store.touchCounters(def.group, fields);
    marked += fields.length;
  }
  let pruned = 0;
  for (const group of new Set(defs.map((d) => d.group))) {
    // Only this org's fields: another org's are marked by its own cycles, which after a long downtime of the
    // collector may not have run yet (pruning them here would delete live totals).
    const byOrg = defs.filter((d) => d.group === group).every((d) => d.labels.includes('org_id'));
    pruned += await store.pruneCounters(group, retentionMs, byOrg ? { label: 'org_id', value: key.orgId } : undefined);
  }
  return { live: marked, pruned };
}

/**
 * Counter groups a metric change retired, by the family whose first publish (in this process) deletes them: the
 * per-gateway failover counters (mist_gateway_failovers_total, mist_gateway_active_circuit_changes_total), replaced
 * by the per-circuit groups; no exporter renders them, so without this they would stay in Redis forever. Deleted
 * by the leader (only it collects, so no older collector writes them meanwhile), once per process; idempotent.
 */
export const RETIRED_COUNTER_GROUPS: Readonly<Record<string, readonly string[]>> = {
  circuits: ['gateway_failovers', 'gateway_active_circuit_changes'],
};
const retiredDropped = new WeakSet<Store>();

/** Deletes the family's retired counter groups once per store (process); the number of groups that existed. */
export async function dropRetiredCounters(store: Store, family: string): Promise<number> {
  const groups = RETIRED_COUNTER_GROUPS[family];
  if (!groups || retiredDropped.has(store)) return 0;
  let dropped = 0;
  for (const group of groups) if (await store.dropCounters(group)) dropped += 1;
  retiredDropped.add(store);
  return dropped;
}

/** keepLiveCounters for the cycle: a failure is logged, never fails the collection (retention can wait a cycle). */
export async function keepLiveCountersLogged(store: Store, key: FamilyKey, retentionMs: number, log: Logger): Promise<void> {
  try {
    const retired = await dropRetiredCounters(store, key.family);
    if (retired > 0) log.info({ groups: RETIRED_COUNTER_GROUPS[key.family] }, 'deleted retired counter groups (renamed by a metric change)');
    const pass = await keepLiveCounters(store, key, retentionMs);
    if (pass && pass.pruned > 0) log.info({ pruned: pass.pruned, retentionMs }, 'pruned stored counter series gone longer than the retention');
  } catch (err) {
    log.warn({ err }, 'could not mark or prune stored counters; retried next cycle');
  }
}
