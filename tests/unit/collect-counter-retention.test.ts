import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { COUNTER_RETENTION_MS, RETIRED_COUNTER_GROUPS, dropRetiredCounters, keepLiveCounters } from '../../src/collect/counter-retention.js';
import { encodeLabels } from '../../src/store/counters.js';
import { renderFamily } from '../../src/metrics/exposition.js';
import type { FamilyCatalogue } from '../../src/metrics/types.js';
import { MemoryStore } from '../../src/store/memory.js';

/**
 * Counter retention on a synthetic family (today's families are changing): the collector marks live exactly
 * the stored counter series the renderer shows from the published snapshot, and prunes what stayed unmarked for
 * the retention. Time is the memory store's fake clock.
 */
const Port = z.object({ site_id: z.string(), mac: z.string(), port_id: z.string() });
type Port = z.infer<typeof Port>;
const catalogue: FamilyCatalogue<Port> = {
  family: 'synthetic',
  schema: Port,
  groups: [{ labels: ['org_id', 'site_id', 'mac', 'port_id'], labelValues: (r) => [r.org_id, r.site_id, r.mac, r.port_id],
    metrics: [{ name: 'mist_syn_port_info', type: 'gauge', unit: 'info', help: 'Info.', value: () => 1 }] }],
  counters: [
    { name: 'mist_syn_port_flaps_total', unit: 'count', help: 'Flaps.', group: 'syn_flaps', labels: ['org_id', 'site_id', 'mac', 'port_id'] },
    { name: 'mist_syn_events_total', unit: 'count', help: 'Events.', group: 'syn_events', labels: ['org_id', 'event_type'] },
  ],
};
/** keepLiveCounters takes any family's catalogue. */
const synthetic = catalogue as unknown as FamilyCatalogue<unknown>;
const ORG = 'o1';
const KEY = { orgId: ORG, family: 'synthetic' };
const DAY = 24 * 60 * 60 * 1000;
const port = (mac: string, portId = 'ge-0/0/0'): Port => ({ site_id: 's1', mac, port_id: portId });
const flap = (mac: string, org = ORG): string => encodeLabels({ org_id: org, site_id: 's1', mac, port_id: 'ge-0/0/0' });

function setup(): { store: MemoryStore; clock: { t: number }; publish: (records: Port[]) => Promise<void> } {
  const clock = { t: 1_790_000_000_000 };
  const store = new MemoryStore({ now: () => clock.t });
  let n = 0;
  const publish = async (records: Port[]): Promise<void> => {
    const generation = `g${++n}`;
    await store.beginGeneration(KEY, generation, 600_000);
    await store.putPage(KEY, generation, 0, JSON.stringify(records), { cursor: null, recordsKept: records.length, recordsDropped: 0 }, 600_000);
    await store.publish(KEY, generation, 1, {
      lastAttempt: clock.t, lastSuccess: clock.t, durationMs: 1, recordsKept: records.length, recordsDropped: 0, pages: 1, calls: 1, intervalSeconds: 60,
    }, 600_000);
  };
  return { store, clock, publish };
}

describe('keepLiveCounters', () => {
  it('documents a retention of 7 days', () => {
    expect(COUNTER_RETENTION_MS).toBe(7 * DAY);
  });

  it('marks live what the renderer shows, prunes what stayed unmarked for the retention, and nothing else', async () => {
    const { store, clock, publish } = setup();
    await store.incrementCounters('syn_flaps', { [flap('aa')]: 3, [flap('bb')]: 4, [flap('gone')]: 5, [flap('aa', 'o2')]: 6 });
    await store.incrementCounters('syn_events', { [encodeLabels({ org_id: ORG, event_type: 'UP' })]: 7 });
    await publish([port('aa'), port('bb')]);
    // aa, bb and the org's events are live; 'gone' and org o2's field get their first mark (retention starts).
    expect(await keepLiveCounters(store, KEY, COUNTER_RETENTION_MS, synthetic)).toEqual({ live: 3, pruned: 0 });

    clock.t += 3 * DAY;
    await publish([port('aa')]);
    expect(await keepLiveCounters(store, KEY, COUNTER_RETENTION_MS, synthetic)).toEqual({ live: 2, pruned: 0 });
    clock.t += 3 * DAY;
    // bb is back within the retention: it keeps its total.
    await publish([port('aa'), port('bb')]);
    await keepLiveCounters(store, KEY, COUNTER_RETENTION_MS, synthetic);
    clock.t += 2 * DAY;
    await publish([port('aa'), port('bb')]);
    // 8 days after its last mark: 'gone' is pruned. Org o2's field is not this cycle's to judge (o2's cycles mark
    // it; after a long collector downtime o1 may simply run first): it stays.
    expect(await keepLiveCounters(store, KEY, COUNTER_RETENTION_MS, synthetic)).toEqual({ live: 3, pruned: 1 });
    expect(await store.readCounters('syn_flaps')).toEqual({ [flap('aa')]: 3, [flap('bb')]: 4, [flap('aa', 'o2')]: 6 });
    expect(await store.readCounters('syn_events')).toEqual({ [encodeLabels({ org_id: ORG, event_type: 'UP' })]: 7 });
  });

  it('agrees with the renderer: the fields it marks are exactly the counter series rendered', async () => {
    const { store, publish } = setup();
    await store.incrementCounters('syn_flaps', { [flap('aa')]: 1, [flap('bb')]: 2, [flap('cc')]: 3 });
    await publish([port('aa'), port('cc'), port('cc', 'ge-0/0/1')]);
    const pass = await keepLiveCounters(store, KEY, COUNTER_RETENTION_MS, synthetic);
    const snap = await store.readSnapshot(KEY);
    const { text } = await renderFamily(catalogue, [{ orgId: ORG, pages: snap!.pages }], { syn_flaps: await store.readCounters('syn_flaps') });
    expect(text.split('\n').filter((l) => l.startsWith('mist_syn_port_flaps_total{'))).toHaveLength(pass!.live);
    expect(pass!.live).toBe(2);
  });

  it('deletes the retired per-gateway failover groups once, on the circuits family\'s first pass', async () => {
    const { store } = setup();
    const field = encodeLabels({ org_id: ORG, site_id: 's1', mac: 'aa' });
    await store.incrementCounters('gateway_failovers', { [field]: 2 });
    await store.incrementCounters('gateway_active_circuit_changes', { [field]: 3 });
    expect(RETIRED_COUNTER_GROUPS.circuits).toEqual(['gateway_failovers', 'gateway_active_circuit_changes']);
    expect(await dropRetiredCounters(store, 'events')).toBe(0);
    expect(await store.readCounters('gateway_failovers')).toEqual({ [field]: 2 });
    expect(await dropRetiredCounters(store, 'circuits')).toBe(2);
    expect(await store.readCounters('gateway_failovers')).toEqual({});
    expect(await store.readCounters('gateway_active_circuit_changes')).toEqual({});
    // Once per store (process): a later pass does not touch the store again.
    await store.incrementCounters('gateway_failovers', { [field]: 1 });
    expect(await dropRetiredCounters(store, 'circuits')).toBe(0);
    expect(await store.readCounters('gateway_failovers')).toEqual({ [field]: 1 });
  });

  it('does nothing for a family without stored counters or without a snapshot', async () => {
    const { store } = setup();
    expect(await keepLiveCounters(store, KEY, COUNTER_RETENTION_MS, { ...synthetic, counters: [] })).toBeNull();
    expect(await keepLiveCounters(store, KEY, COUNTER_RETENTION_MS, synthetic)).toBeNull();
  });
});
