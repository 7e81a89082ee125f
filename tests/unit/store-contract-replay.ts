import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoreHarness } from './store-contract.js';

const PORTS = { orgId: 'org-1', family: 'events' };

/**
 * The replay half of the counter contract (shared by both stores): idempotent increments keyed by
 * (group, scope, id), and counter deltas published with a generation's metadata.
 */
export function counterReplayContract(name: string, make: () => Promise<StoreHarness>): void {
  describe(`Store counter replay (${name})`, () => {
    let h: StoreHarness;
    beforeEach(async () => {
      h = await make();
    });
    afterEach(async () => {
      await h.cleanup();
    });

    it('applies an increment once per (scope, id): a replay of the last id is skipped', async () => {
      await h.store.incrementCounters('flaps', { 'port=a': 2 }, { scope: 'org-1.events', id: 'g1' });
      await h.store.incrementCounters('flaps', { 'port=a': 2 }, { scope: 'org-1.events', id: 'g1' });
      expect(await h.store.readCounters('flaps')).toEqual({ 'port=a': 2 });
      await h.store.incrementCounters('flaps', { 'port=a': 1, 'port=b': 4 }, { scope: 'org-1.events', id: 'g2' });
      expect(await h.store.readCounters('flaps')).toEqual({ 'port=a': 3, 'port=b': 4 });
    });

    it('keeps scopes and groups apart, and counts un-keyed increments every time', async () => {
      await h.store.incrementCounters('flaps', { 'port=a': 1 }, { scope: 'org-1.events', id: 'g1' });
      await h.store.incrementCounters('flaps', { 'port=a': 1 }, { scope: 'org-2.events', id: 'g1' });
      await h.store.incrementCounters('failovers', { 'mac=m': 1 }, { scope: 'org-1.events', id: 'g1' });
      await h.store.incrementCounters('flaps', { 'port=a': 1 });
      await h.store.incrementCounters('flaps', { 'port=a': 1 });
      expect(await h.store.readCounters('flaps')).toEqual({ 'port=a': 4 });
      expect(await h.store.readCounters('failovers')).toEqual({ 'mac=m': 1 });
    });

    it('publishes counter deltas with the generation metadata, and none by default', async () => {
      const meta = { lastAttempt: 1, lastSuccess: 2, durationMs: 1, recordsKept: 1, recordsDropped: 0, pages: 1, calls: 1, intervalSeconds: 60 };
      await h.store.beginGeneration(PORTS, 'g1', 60_000);
      await h.store.putPage(PORTS, 'g1', 0, '[]', { cursor: null, recordsKept: 0, recordsDropped: 0 }, 60_000);
      await h.store.publish(PORTS, 'g1', 1, { ...meta, counterDeltas: { flaps: { 'port=a': 2 } } }, 60_000);
      expect((await h.store.readMeta(PORTS))?.counterDeltas).toEqual({ flaps: { 'port=a': 2 } });
      await h.store.beginGeneration(PORTS, 'g2', 60_000);
      await h.store.putPage(PORTS, 'g2', 0, '[]', { cursor: null, recordsKept: 0, recordsDropped: 0 }, 60_000);
      await h.store.publish(PORTS, 'g2', 1, meta, 60_000);
      expect((await h.store.readMeta(PORTS))?.counterDeltas).toBeNull();
    });
  });
}
