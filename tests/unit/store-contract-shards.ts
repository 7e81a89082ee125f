import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SHARD_MARKER, encodeHolder, type CollectorStatus } from '../../src/store/org-locks.js';
import type { StoreHarness } from './store-contract.js';

const O1 = 'org-1';
const O2 = 'org-2';
const O3 = 'org-3';
/** As in the main contract: time moves by `advance`; checks sit MARGIN away from each bound. */
const TTL = 60_000;
const MARGIN = 10_000;

const holder = (owner: string, orgs: readonly string[]): string => encodeHolder({ owner, orgs });

/**
 * Collector shards (src/store/org-locks.ts): per-org locks taken and renewed all or none, the guard against
 * collectors from before sharding (the single lock `collector`), and the collectors' status records. Run by
 * store-memory.test.ts and store-redis.test.ts, like the main contract.
 */
export function shardLockContract(name: string, make: () => Promise<StoreHarness>): void {
  describe(`Store contract: collector shard locks (${name})`, () => {
    let h: StoreHarness;
    beforeEach(async () => {
      h = await make();
    });
    afterEach(async () => {
      await h.cleanup();
    });

    it('runs disjoint shards side by side; refuses a twin and an overlap, all or none, and says who holds what', async () => {
      const a = holder('a', [O1, O2]);
      const b = holder('b', [O3]);
      expect(await h.store.acquireOrgLocks([O2, O1], a, TTL)).toEqual({ acquired: true, holders: { [O1]: null, [O2]: null }, legacy: null });
      expect((await h.store.acquireOrgLocks([O3], b, TTL)).acquired).toBe(true);
      // Again by the holder: still held (TTL restarted), as acquireLock.
      expect((await h.store.acquireOrgLocks([O1, O2], a, TTL)).acquired).toBe(true);

      const twin = holder('a2', [O1, O2]);
      expect(await h.store.acquireOrgLocks([O1, O2], twin, TTL)).toEqual({ acquired: false, holders: { [O1]: a, [O2]: a }, legacy: null });

      // An overlap ({org-2, org-4}): refused, and org-4, free, is not taken either (all or none).
      const overlap = holder('c', [O2, 'org-4']);
      expect(await h.store.acquireOrgLocks([O2, 'org-4'], overlap, TTL)).toEqual({ acquired: false, holders: { [O2]: a, 'org-4': null }, legacy: null });
      expect((await h.store.acquireOrgLocks(['org-4'], holder('d', ['org-4']), TTL)).acquired).toBe(true);

      // Renewal by a non-holder fails and changes nothing; release by a non-holder releases nothing.
      expect(await h.store.renewOrgLocks([O1, O2], twin, TTL)).toBe(false);
      await h.store.releaseOrgLocks([O1, O2], twin);
      expect((await h.store.acquireOrgLocks([O1, O2], twin, TTL)).acquired).toBe(false);
      // The holder releases: the twin takes over.
      expect(await h.store.renewOrgLocks([O1, O2], a, TTL)).toBe(true);
      await h.store.releaseOrgLocks([O1, O2], a);
      expect(await h.store.renewOrgLocks([O1, O2], a, TTL)).toBe(false);
      expect((await h.store.acquireOrgLocks([O1, O2], twin, TTL)).acquired).toBe(true);
    });

    it('renews all or none: a shard that lost one org\'s lock renews none and cannot keep collecting', async () => {
      const a = holder('a', [O1, O2]);
      expect((await h.store.acquireOrgLocks([O1, O2], a, TTL)).acquired).toBe(true);
      await h.advance(TTL + MARGIN); // both expired (a paused collector)
      expect((await h.store.acquireOrgLocks([O2], holder('b', [O2]), TTL)).acquired).toBe(true);
      expect(await h.store.renewOrgLocks([O1, O2], a, TTL)).toBe(false);
      // org-1 was not re-taken by the failed renewal: another collector can have it.
      expect((await h.store.acquireOrgLocks([O1], holder('c', [O1]), TTL)).acquired).toBe(true);
    });

    it('keeps the renewed locks past their first TTL and frees them once renewals stop', async () => {
      const a = holder('a', [O1, O2]);
      expect((await h.store.acquireOrgLocks([O1, O2], a, TTL)).acquired).toBe(true);
      await h.advance(TTL - 2 * MARGIN);
      expect(await h.store.renewOrgLocks([O1, O2], a, TTL)).toBe(true);
      await h.advance(3 * MARGIN);
      expect((await h.store.acquireOrgLocks([O1, O2], holder('b', [O1, O2]), TTL)).acquired).toBe(false);
      await h.advance(TTL);
      expect((await h.store.acquireOrgLocks([O1, O2], holder('b', [O1, O2]), TTL)).acquired).toBe(true);
    });

    it('upgrade guard: an old collector\'s single lock holds every shard back, and an active shard holds old collectors back', async () => {
      expect(await h.store.acquireLock('collector', 'old-1', TTL)).toBe(true);
      const a = holder('a', [O1]);
      expect(await h.store.acquireOrgLocks([O1], a, TTL)).toEqual({ acquired: false, holders: { [O1]: null }, legacy: 'old-1' });
      await h.store.releaseLock('collector', 'old-1');
      expect((await h.store.acquireOrgLocks([O1], a, TTL)).acquired).toBe(true);
      // While a shard is active the single lock holds the marker: an old collector stands by.
      expect(await h.store.acquireLock('collector', 'old-2', TTL)).toBe(false);
      // A second, disjoint shard is not held back by the marker.
      expect((await h.store.acquireOrgLocks([O2], holder('b', [O2]), TTL)).acquired).toBe(true);
      await h.advance(TTL - 2 * MARGIN);
      expect(await h.store.renewOrgLocks([O1], a, TTL)).toBe(true);
      await h.advance(3 * MARGIN); // past the marker's first TTL: the renewal kept it
      expect(await h.store.acquireLock('collector', 'old-2', TTL)).toBe(false);
      // An old collector that got the single lock anyway (e.g. the marker lost in a failover) stops the shards.
      await h.advance(TTL + MARGIN);
      expect(await h.store.acquireLock('collector', 'old-2', TTL)).toBe(true);
      expect((await h.store.acquireOrgLocks([O1], a, TTL)).legacy).toBe('old-2');
      expect(await h.store.renewOrgLocks([O1], a, TTL)).toBe(false);
      expect(SHARD_MARKER).not.toBe('old-2');
    });

    it('rejects an empty shard and org ids that would make keys ambiguous', async () => {
      await expect(h.store.acquireOrgLocks([], 'x', TTL)).rejects.toMatchObject({ code: 'STORE_BAD_ARGUMENT' });
      await expect(h.store.acquireOrgLocks(['a:b'], 'x', TTL)).rejects.toMatchObject({ code: 'STORE_BAD_KEY' });
      await expect(h.store.acquireOrgLocks([O1], 'x', 0)).rejects.toMatchObject({ code: 'STORE_BAD_ARGUMENT' });
    });

    it('keeps collector status records until their expiresAt, replaced per id, removed on request', async () => {
      const status = (id: string, over: Partial<CollectorStatus> = {}): CollectorStatus => ({
        id, orgIds: [O1], state: 'active', conflicts: [], tokens: ['0123456789ab'], at: 1, expiresAt: Number.MAX_SAFE_INTEGER, ...over,
      });
      await h.store.putCollectorStatus(status('b:1'));
      await h.store.putCollectorStatus(status('a:1', { state: 'standby' }));
      await h.store.putCollectorStatus(status('a:1', { state: 'conflict', conflicts: [O1] }));
      await h.store.putCollectorStatus(status('gone:1', { expiresAt: 0 }));
      expect(await h.store.readCollectorStatuses()).toEqual([status('a:1', { state: 'conflict', conflicts: [O1] }), status('b:1')]);
      await h.store.removeCollectorStatus('b:1');
      expect((await h.store.readCollectorStatuses()).map((s) => s.id)).toEqual(['a:1']);
      // Never a token: fingerprints only.
      await expect(h.store.putCollectorStatus(status('c:1', { tokens: ['not-a-fingerprint-TOKEN'] }))).rejects.toMatchObject({ code: 'STORE_BAD_ARGUMENT' });
    });
  });
}
