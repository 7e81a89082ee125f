import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/store/errors.js';
import type { FamilyKey, FamilyMeta, Store } from '../../src/store/types.js';

/**
 * The behaviour every Store implementation must have. Run by store-memory.test.ts (fake clock) and
 * store-redis.test.ts (real Redis; `advance` shortens the TTLs the server holds, see advanceKeyTtls).
 */
export interface StoreHarness {
  store: Store;
  /** Moves time forward without sleeping: the memory store's clock, or the TTLs Redis holds. */
  advance(ms: number): Promise<void>;
  cleanup(): Promise<void>;
}

const ORG = 'a7f1c2d0-0000-4000-8000-000000000001';
const PORTS: FamilyKey = { orgId: ORG, family: 'wan-ports' };
const LONG = 60_000;
/**
 * TTL of the expiry tests. Time is moved by `advance`, never slept; with Redis real time passes too (a few ms,
 * a second on a loaded machine), so every check sits MARGIN (10 s) from each bound: past the bound it must beat
 * and before the one it must not reach.
 */
const TTL = 60_000;
const MARGIN = 10_000;

type PublishMeta = Omit<FamilyMeta, 'generation' | 'lastError' | 'counterDeltas' | 'uncountedGapSeconds'>;
const meta = (at: number, pages: number): PublishMeta => ({
  lastAttempt: at, lastSuccess: at + 1500, durationMs: 1500, recordsKept: 200 * pages, recordsDropped: 1, pages, calls: pages + 1, intervalSeconds: 60,
});
const progress = (page: number) => ({ cursor: JSON.stringify({ page: page + 2 }), recordsKept: 100 * (page + 1), recordsDropped: 0 });

async function stage(store: Store, key: FamilyKey, generation: string, pages: readonly string[], ttlMs = LONG): Promise<void> {
  await store.beginGeneration(key, generation, ttlMs);
  for (const [i, payload] of pages.entries()) await store.putPage(key, generation, i, payload, progress(i), ttlMs);
}

async function stageAndPublish(store: Store, key: FamilyKey, generation: string, pages: readonly string[], ttlMs = LONG, at = 1_790_000_000_000): Promise<void> {
  await stage(store, key, generation, pages, ttlMs);
  await store.publish(key, generation, pages.length, meta(at, pages.length), ttlMs);
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const err: unknown = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(StoreError);
  expect((err as StoreError).code).toBe(code);
}

export function storeContract(name: string, make: () => Promise<StoreHarness>): void {
  describe(`Store contract (${name})`, () => {
    let h: StoreHarness;
    beforeEach(async () => {
      h = await make();
    });
    afterEach(async () => {
      await h.cleanup();
    });

    describe('snapshots', () => {
      it('has no snapshot, metadata or staging before anything is written', async () => {
        expect(await h.store.readSnapshot(PORTS)).toBeNull();
        expect(await h.store.readMeta(PORTS)).toBeNull();
        expect(await h.store.staging(PORTS)).toBeNull();
        expect(await h.store.listFamilies()).toEqual([]);
      });

      it('publishes staged pages in order with the generation and its success metadata', async () => {
        await stageAndPublish(h.store, PORTS, 'g1', ['[1,2]', '[3]', '[]']);
        const snap = await h.store.readSnapshot(PORTS);
        expect(snap).toMatchObject({ generation: 'g1', pages: ['[1,2]', '[3]', '[]'] });
        expect(snap?.publishedAt).toEqual(expect.any(Number));
        expect(await h.store.readMeta(PORTS)).toEqual({ ...meta(1_790_000_000_000, 3), generation: 'g1', lastError: null, counterDeltas: null, uncountedGapSeconds: null });
      });

      it('publishes an empty generation as a snapshot with no pages', async () => {
        await stageAndPublish(h.store, PORTS, 'g1', []);
        expect((await h.store.readSnapshot(PORTS))?.pages).toEqual([]);
      });

      it('serves the previous generation while the next is staged, then the new one whole, never a mix', async () => {
        await stageAndPublish(h.store, PORTS, 'g1', ['a0', 'a1']);
        const reads: (readonly string[] | undefined)[] = [];
        await h.store.beginGeneration(PORTS, 'g2', LONG);
        reads.push((await h.store.readSnapshot(PORTS))?.pages);
        for (const i of [0, 1, 2]) {
          await h.store.putPage(PORTS, 'g2', i, `b${i}`, progress(i), LONG);
          reads.push((await h.store.readSnapshot(PORTS))?.pages);
        }
        expect(reads).toEqual([['a0', 'a1'], ['a0', 'a1'], ['a0', 'a1'], ['a0', 'a1']]);
        await h.store.publish(PORTS, 'g2', 3, meta(2, 3), LONG);
        expect(await h.store.readSnapshot(PORTS)).toMatchObject({ generation: 'g2', pages: ['b0', 'b1', 'b2'] });
      });

      it('refuses to publish a generation that is not staged or lacks pages, keeping the current one', async () => {
        await stageAndPublish(h.store, PORTS, 'g1', ['a0']);
        await stage(h.store, PORTS, 'g2', ['b0']);
        await expectCode(h.store.publish(PORTS, 'g2', 2, meta(2, 2), LONG), 'STORE_INCOMPLETE');
        await expectCode(h.store.publish(PORTS, 'g3', 1, meta(2, 1), LONG), 'STORE_NOT_STAGED');
        expect(await h.store.readSnapshot(PORTS)).toMatchObject({ generation: 'g1', pages: ['a0'] });
        expect((await h.store.readMeta(PORTS))?.generation).toBe('g1');
      });

      it('rejects pages of a superseded generation and pages that would leave a gap', async () => {
        await stage(h.store, PORTS, 'g1', ['a0']);
        await h.store.beginGeneration(PORTS, 'g2', LONG);
        await expectCode(h.store.putPage(PORTS, 'g1', 1, 'a1', progress(1), LONG), 'STORE_NOT_STAGED');
        await expectCode(h.store.putPage(PORTS, 'g2', 1, 'b1', progress(1), LONG), 'STORE_INCOMPLETE');
        expect((await h.store.staging(PORTS))?.pages).toBe(0);
      });

      it('refuses to stage the current generation again (it would overwrite live pages)', async () => {
        await stageAndPublish(h.store, PORTS, 'g1', ['a0']);
        await expectCode(h.store.beginGeneration(PORTS, 'g1', LONG), 'STORE_GENERATION_IN_USE');
        expect((await h.store.readSnapshot(PORTS))?.pages).toEqual(['a0']);
      });

      it('expires snapshot and staging after their TTL while the metadata survives', async () => {
        await stageAndPublish(h.store, PORTS, 'g1', ['a0', 'a1'], TTL);
        await stage(h.store, PORTS, 'g2', ['b0'], TTL);
        expect(await h.store.readSnapshot(PORTS)).not.toBeNull();
        await h.advance(TTL - MARGIN);
        expect((await h.store.readSnapshot(PORTS))?.pages).toEqual(['a0', 'a1']);
        expect((await h.store.staging(PORTS))?.generation).toBe('g2');
        await h.advance(2 * MARGIN);
        expect(await h.store.readSnapshot(PORTS)).toBeNull();
        expect(await h.store.staging(PORTS)).toBeNull();
        expect(await h.store.readMeta(PORTS)).toMatchObject({ generation: 'g1', lastError: null, pages: 2 });
        expect(await h.store.listFamilies()).toEqual([PORTS]);
      });

      it('restarts the TTL of every page at publish, so a generation expires whole', async () => {
        await h.store.beginGeneration(PORTS, 'g1', TTL);
        await h.store.putPage(PORTS, 'g1', 0, 'a0', progress(0), TTL);
        await h.advance(TTL - 3 * MARGIN);
        await h.store.putPage(PORTS, 'g1', 1, 'a1', progress(1), TTL);
        await h.store.publish(PORTS, 'g1', 2, meta(1, 2), TTL);
        await h.advance(4 * MARGIN); // page 0 was written TTL + MARGIN ago: only publish's restart keeps it
        expect((await h.store.readSnapshot(PORTS))?.pages).toEqual(['a0', 'a1']);
        await h.advance(TTL - 3 * MARGIN); // TTL + MARGIN after publish
        expect(await h.store.readSnapshot(PORTS)).toBeNull();
      });
    });

    describe('staging', () => {
      it('records each staged page with its resume cursor and counts', async () => {
        await h.store.beginGeneration(PORTS, 'g1', LONG);
        expect(await h.store.staging(PORTS)).toEqual({ generation: 'g1', startedAt: expect.any(Number), pages: 0, cursor: null, recordsKept: 0, recordsDropped: 0 });
        await h.store.putPage(PORTS, 'g1', 0, 'a0', { cursor: '{"next":"/api/v1/x?search_after=1"}', recordsKept: 999, recordsDropped: 2 }, LONG);
        await h.store.putPage(PORTS, 'g1', 1, 'a1', { cursor: null, recordsKept: 1200, recordsDropped: 3 }, LONG);
        expect(await h.store.staging(PORTS)).toMatchObject({ generation: 'g1', pages: 2, cursor: null, recordsKept: 1200, recordsDropped: 3 });
      });

      it('resumes: a rewritten last page replaces it and staging follows the rewrite', async () => {
        await stage(h.store, PORTS, 'g1', ['a0', 'a1']);
        await h.store.putPage(PORTS, 'g1', 1, 'a1-again', progress(1), LONG);
        await h.store.putPage(PORTS, 'g1', 2, 'a2', { cursor: null, recordsKept: 300, recordsDropped: 0 }, LONG);
        await h.store.publish(PORTS, 'g1', 3, meta(1, 3), LONG);
        expect((await h.store.readSnapshot(PORTS))?.pages).toEqual(['a0', 'a1-again', 'a2']);
      });

      it('discards the previous staging when a new generation begins', async () => {
        await stage(h.store, PORTS, 'g1', ['a0', 'a1']);
        await h.store.beginGeneration(PORTS, 'g2', LONG);
        expect(await h.store.staging(PORTS)).toMatchObject({ generation: 'g2', pages: 0, cursor: null, recordsKept: 0 });
        await expectCode(h.store.publish(PORTS, 'g1', 2, meta(1, 2), LONG), 'STORE_NOT_STAGED');
      });

      it('clears the staging record when the generation is published', async () => {
        await stageAndPublish(h.store, PORTS, 'g1', ['a0']);
        expect(await h.store.staging(PORTS)).toBeNull();
      });
    });

    describe('metadata', () => {
      it('records a failure without touching the current generation, and a later success clears it', async () => {
        await stageAndPublish(h.store, PORTS, 'g1', ['a0'], LONG, 1000);
        await h.store.recordFailure(PORTS, 9000, 'MIST_RATE_LIMITED: all tokens cooling down', 1234);
        expect(await h.store.readMeta(PORTS)).toEqual({ ...meta(1000, 1), generation: 'g1', lastAttempt: 9000, durationMs: 1234, lastError: 'MIST_RATE_LIMITED: all tokens cooling down', counterDeltas: null, uncountedGapSeconds: null });
        expect(await h.store.readSnapshot(PORTS)).toMatchObject({ generation: 'g1', pages: ['a0'] });
        await stageAndPublish(h.store, PORTS, 'g2', ['b0'], LONG, 20_000);
        expect(await h.store.readMeta(PORTS)).toMatchObject({ generation: 'g2', lastError: null, lastAttempt: 20_000 });
      });

      it('creates metadata for a family whose first attempt failed', async () => {
        await h.store.recordFailure(PORTS, 5000, 'MIST_HTTP_503', 20);
        expect(await h.store.readMeta(PORTS)).toEqual({
          generation: null, lastAttempt: 5000, lastSuccess: null, durationMs: 20, recordsKept: null, recordsDropped: null, pages: null, calls: null, lastError: 'MIST_HTTP_503', intervalSeconds: null, counterDeltas: null, uncountedGapSeconds: null,
        });
        expect(await h.store.listFamilies()).toEqual([PORTS]);
      });

      it('lists every family with metadata once, across orgs', async () => {
        const other = 'b2000000-0000-4000-8000-000000000002';
        await stageAndPublish(h.store, { orgId: ORG, family: 'sites' }, 'g1', ['s']);
        await stageAndPublish(h.store, { orgId: ORG, family: 'sites' }, 'g2', ['s']);
        await stageAndPublish(h.store, { orgId: other, family: 'sites' }, 'g1', ['s']);
        await h.store.recordFailure({ orgId: ORG, family: 'gateways' }, 1, 'MIST_TIMEOUT', 1);
        await h.store.beginGeneration({ orgId: other, family: 'gateways' }, 'g1', LONG); // staged only: no metadata yet
        const families = await h.store.listFamilies();
        expect(families).toHaveLength(3);
        expect(families).toEqual(expect.arrayContaining([{ orgId: ORG, family: 'sites' }, { orgId: ORG, family: 'gateways' }, { orgId: other, family: 'sites' }]));
      });
    });

    describe('retiring a family', () => {
      it('removes its snapshot, staging, metadata and list entry, keeps its state, and leaves other families and orgs alone', async () => {
        const other = 'b2000000-0000-4000-8000-000000000002';
        const SLE: FamilyKey = { orgId: ORG, family: 'sle' };
        await stage(h.store, SLE, 'g1', ['a0', 'a1']);
        await h.store.publish(SLE, 'g1', 2, meta(1, 2), LONG, '{"cursor":7}');
        await stage(h.store, SLE, 'g2', ['b0']);
        await stageAndPublish(h.store, { orgId: other, family: 'sle' }, 'g1', ['o0']);
        await stageAndPublish(h.store, PORTS, 'g1', ['p0']);
        await h.store.retireFamily(SLE);
        expect(await h.store.readSnapshot(SLE)).toBeNull();
        expect(await h.store.staging(SLE)).toBeNull();
        expect(await h.store.readMeta(SLE)).toBeNull();
        expect(await h.store.readState(SLE)).toBe('{"cursor":7}');
        const families = await h.store.listFamilies();
        expect(families).toHaveLength(2);
        expect(families).toEqual(expect.arrayContaining([PORTS, { orgId: other, family: 'sle' }]));
        expect((await h.store.readSnapshot({ orgId: other, family: 'sle' }))?.pages).toEqual(['o0']);
        expect((await h.store.readSnapshot(PORTS))?.pages).toEqual(['p0']);
        // Collected again later: a new generation publishes as on a first run.
        await stageAndPublish(h.store, SLE, 'g3', ['c0']);
        expect((await h.store.readSnapshot(SLE))?.pages).toEqual(['c0']);
        expect(await h.store.listFamilies()).toHaveLength(3);
      });

      it('is a no-op for a family the store does not have', async () => {
        await h.store.retireFamily({ orgId: ORG, family: 'alarms' });
        expect(await h.store.listFamilies()).toEqual([]);
      });
    });

    describe('family state', () => {
      const EVENTS: FamilyKey = { orgId: ORG, family: 'events' };
      it('has no state until a publish writes one, and keeps it across publishes that leave it out', async () => {
        expect(await h.store.readState(EVENTS)).toBeNull();
        await stageAndPublish(h.store, EVENTS, 'g1', ['a0']);
        expect(await h.store.readState(EVENTS)).toBeNull();
        await stage(h.store, EVENTS, 'g2', ['b0']);
        await h.store.publish(EVENTS, 'g2', 1, { ...meta(2, 1), counterDeltas: { flaps: { p1: 2 } }, uncountedGapSeconds: 0 }, LONG, '{"cursor":2}');
        expect(await h.store.readState(EVENTS)).toBe('{"cursor":2}');
        expect(await h.store.readMeta(EVENTS)).toMatchObject({ generation: 'g2', counterDeltas: { flaps: { p1: 2 } }, uncountedGapSeconds: 0 });
        await stageAndPublish(h.store, EVENTS, 'g3', ['c0']);
        expect(await h.store.readState(EVENTS)).toBe('{"cursor":2}');
        expect(await h.store.readState(PORTS)).toBeNull();
      });

      it('keeps the state after the snapshot expired (no TTL)', async () => {
        await stage(h.store, EVENTS, 'g1', ['a0'], TTL);
        await h.store.publish(EVENTS, 'g1', 1, meta(1, 1), TTL, '{"until":1}');
        await h.advance(TTL + 200);
        expect(await h.store.readSnapshot(EVENTS)).toBeNull();
        expect(await h.store.readState(EVENTS)).toBe('{"until":1}');
      });

      it('writes the state only with its generation: a refused publish leaves state and metadata as they were', async () => {
        await stage(h.store, EVENTS, 'g1', ['a0']);
        await h.store.publish(EVENTS, 'g1', 1, { ...meta(1, 1), counterDeltas: { flaps: { p1: 1 } } }, LONG, '"s1"');
        await stage(h.store, EVENTS, 'g2', ['b0']);
        await expectCode(h.store.publish(EVENTS, 'g2', 2, { ...meta(2, 2), counterDeltas: { flaps: { p1: 5 } } }, LONG, '"s2"'), 'STORE_INCOMPLETE');
        await expectCode(h.store.publish(EVENTS, 'g9', 1, meta(2, 1), LONG, '"s9"'), 'STORE_NOT_STAGED');
        expect(await h.store.readState(EVENTS)).toBe('"s1"');
        expect(await h.store.readMeta(EVENTS)).toMatchObject({ generation: 'g1', counterDeltas: { flaps: { p1: 1 } } });
      });
    });

    describe('token usage', () => {
      it('round-trips usage per fingerprint, the latest report replacing the previous one', async () => {
        await h.store.putTokenUsage([{ fingerprint: '0123456789ab', used: 10, limit: 5000, coolingUntil: 0 }, { fingerprint: 'ffffffffffff', used: 4999, limit: 5000, coolingUntil: 7000 }], 100);
        await h.store.putTokenUsage([{ fingerprint: '0123456789ab', used: 42, limit: 5000, coolingUntil: 0 }], 200);
        expect(await h.store.readTokenUsage()).toEqual([
          { fingerprint: '0123456789ab', used: 42, limit: 5000, coolingUntil: 0, at: 200 },
          { fingerprint: 'ffffffffffff', used: 4999, limit: 5000, coolingUntil: 7000, at: 100 },
        ]);
      });

      it('refuses to key usage by a raw token, without quoting it', async () => {
        const token = 'Zx9sQpL3mN7vB2kR8tY4wE6uI1oP5aSdFgHjKlZxCvBnM0qWeRtYuIoPaSdFgHjK';
        const err: unknown = await h.store.putTokenUsage([{ fingerprint: token, used: 1, limit: 5000, coolingUntil: 0 }], 1).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StoreError);
        expect((err as StoreError).code).toBe('STORE_BAD_KEY');
        expect(String((err as Error).message)).not.toContain(token);
        expect(await h.store.readTokenUsage()).toEqual([]);
      });
    });

    describe('counters', () => {
      const weird = 'endpoint=a\\|b\\=c\\\\|reason=ünï cödé\n"x"';
      it('adds each delta to its field, keeps groups apart, and starts every group empty', async () => {
        expect(await h.store.readCounters('api_requests')).toEqual({});
        await h.store.incrementCounters('api_requests', { 'endpoint=sites': 1, 'endpoint=org': 2, [weird]: 0.5 });
        await h.store.incrementCounters('api_requests', { 'endpoint=sites': 3, [weird]: 0.25, 'endpoint=self': 0 });
        await h.store.incrementCounters('api_requests', {});
        await h.store.incrementCounters('api_rate_limited', { 'token_fingerprint=0123456789ab': 1 });
        expect(await h.store.readCounters('api_requests')).toEqual({ 'endpoint=sites': 4, 'endpoint=org': 2, [weird]: 0.75, 'endpoint=self': 0 });
        expect(await h.store.readCounters('api_rate_limited')).toEqual({ 'token_fingerprint=0123456789ab': 1 });
        await h.store.incrementCounters('big', { n: 2 ** 40 });
        await h.store.incrementCounters('big', { n: 1 });
        expect(await h.store.readCounters('big')).toEqual({ n: 2 ** 40 + 1 });
      });

      it('bumps a group\'s version with every applied increment, and only then', async () => {
        expect(await h.store.counterVersion('flaps')).toBe(0);
        await h.store.incrementCounters('flaps', { 'port=a': 1 });
        const first = await h.store.counterVersion('flaps');
        expect(first).toBeGreaterThan(0);
        await h.store.incrementCounters('flaps', {});
        expect(await h.store.counterVersion('flaps')).toBe(first);
        await h.store.incrementCounters('flaps', { 'port=a': 1 }, { scope: 's', id: 'g1' });
        const second = await h.store.counterVersion('flaps');
        expect(second).toBeGreaterThan(first);
        // A replay of increments already applied changes nothing, so the version stays.
        await h.store.incrementCounters('flaps', { 'port=a': 1 }, { scope: 's', id: 'g1' });
        expect(await h.store.counterVersion('flaps')).toBe(second);
        await h.store.incrementCounters('other', { x: 1 });
        expect(await h.store.counterVersion('flaps')).toBe(second);
        await expectCode(h.store.counterVersion('a|b'), 'STORE_BAD_KEY');
      });

      it('bumps the version for a 0-delta only when it adds a field (a family declaring its live series each cycle)', async () => {
        await h.store.incrementCounters('flaps', { 'port=a': 2 });
        const first = await h.store.counterVersion('flaps');
        await h.store.incrementCounters('flaps', { 'port=a': 0 });
        expect(await h.store.counterVersion('flaps')).toBe(first);
        await h.store.incrementCounters('flaps', { 'port=a': 0, 'port=b': 0 });
        const second = await h.store.counterVersion('flaps');
        expect(second).toBeGreaterThan(first);
        expect(await h.store.readCounters('flaps')).toEqual({ 'port=a': 2, 'port=b': 0 });
      });

      it('prunes fields not marked live for the retention, keeps the marked ones with their totals', async () => {
        // Retention here is ≥500 ms away from each check (the clocks move by advance(), real time passes too).
        const RETENTION = 600;
        await h.store.incrementCounters('flaps', { 'port=gone': 3, 'port=live': 5, 'port=back': 7 });
        // Fields never marked are marked by the first prune: their retention starts, nothing is deleted.
        expect(await h.store.pruneCounters('flaps', RETENTION)).toBe(0);
        await h.advance(1100);
        await h.store.touchCounters('flaps', ['port=live', 'port=back', 'port=unknown']);
        const version = await h.store.counterVersion('flaps');
        expect(await h.store.counterVersion('flaps')).toBe(version);
        expect(await h.store.pruneCounters('flaps', RETENTION)).toBe(1);
        expect(await h.store.readCounters('flaps')).toEqual({ 'port=live': 5, 'port=back': 7 });
        // Deleting changes what may be rendered: the version moves.
        expect(await h.store.counterVersion('flaps')).toBeGreaterThan(version);
        // A thing that comes back within the retention resumes its total (monotonic); one pruned restarts.
        await h.store.incrementCounters('flaps', { 'port=back': 1, 'port=gone': 1 });
        expect(await h.store.readCounters('flaps')).toEqual({ 'port=live': 5, 'port=back': 8, 'port=gone': 1 });
        // Touching does not add fields: 'port=unknown' was never a counter.
        expect(await h.store.pruneCounters('flaps', RETENTION)).toBe(0);
        expect(Object.keys(await h.store.readCounters('flaps')).sort()).toEqual(['port=back', 'port=gone', 'port=live']);
        await expectCode(h.store.pruneCounters('flaps', 0), 'STORE_BAD_ARGUMENT');
        await expectCode(h.store.pruneCounters('flaps', Number.NaN), 'STORE_BAD_ARGUMENT');
        await expectCode(h.store.touchCounters('flaps', ['']), 'STORE_BAD_KEY');
        await expectCode(h.store.touchCounters('a|b', ['x']), 'STORE_BAD_KEY');
        expect(await h.store.pruneCounters('never-written', RETENTION)).toBe(0);
      });

      it('prunes only the fields of one label value (one org) when asked, whatever the other fields\' marks', async () => {
        const RETENTION = 600;
        // Values with the encoding's escapes: 'a\\|b' is org "a|b", not org "a"; org_id is not the first label.
        const [a1, a2, b, ab] = ['alarm_type=x|org_id=a', 'alarm_type=y|org_id=a', 'alarm_type=x|org_id=b', 'alarm_type=x|org_id=a\\|b'];
        await h.store.incrementCounters('seen', { [a1]: 1, [a2]: 2, [b]: 3, [ab]: 4 });
        expect(await h.store.pruneCounters('seen', RETENTION)).toBe(0);
        await h.advance(1100);
        // Org a marked a1 live; org b's cycle has not run yet (a long downtime): only org a's stale a2 goes.
        await h.store.touchCounters('seen', [a1]);
        expect(await h.store.pruneCounters('seen', RETENTION, { label: 'org_id', value: 'a' })).toBe(1);
        expect(await h.store.readCounters('seen')).toEqual({ [a1]: 1, [b]: 3, [ab]: 4 });
        expect(await h.store.pruneCounters('seen', RETENTION, { label: 'org_id', value: 'a|b' })).toBe(1);
        expect(await h.store.pruneCounters('seen', RETENTION, { label: 'missing', value: '' })).toBe(0);
        expect(await h.store.readCounters('seen')).toEqual({ [a1]: 1, [b]: 3 });
        await expectCode(h.store.pruneCounters('seen', RETENTION, { label: 'a|b', value: 'x' }), 'STORE_BAD_ARGUMENT');
      });

      it('drops a retired counter group whole, once, moving its version', async () => {
        await h.store.incrementCounters('retired', { 'org_id=a': 2 });
        await h.store.incrementCounters('kept', { 'org_id=a': 1 });
        await h.store.touchCounters('retired', ['org_id=a']);
        const version = await h.store.counterVersion('retired');
        expect(await h.store.dropCounters('retired')).toBe(true);
        expect(await h.store.readCounters('retired')).toEqual({});
        expect(await h.store.counterVersion('retired')).toBeGreaterThan(version);
        expect(await h.store.dropCounters('retired')).toBe(false);
        expect(await h.store.readCounters('kept')).toEqual({ 'org_id=a': 1 });
        // Written again later, it starts afresh (no stale mark survives: never marked, the first prune marks it).
        await h.store.incrementCounters('retired', { 'org_id=a': 1 });
        expect(await h.store.pruneCounters('retired', 600)).toBe(0);
        expect(await h.store.readCounters('retired')).toEqual({ 'org_id=a': 1 });
      });

      it('rejects bad group names, empty fields and negative or non-finite deltas, writing nothing', async () => {
        await expectCode(h.store.incrementCounters('a:b', { x: 1 }), 'STORE_BAD_KEY');
        await expectCode(h.store.readCounters('a|b'), 'STORE_BAD_KEY');
        await expectCode(h.store.incrementCounters('c', { x: 1, '': 1 }), 'STORE_BAD_KEY');
        for (const delta of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
          await expectCode(h.store.incrementCounters('c', { x: 1, y: delta }), 'STORE_BAD_ARGUMENT');
        }
        expect(await h.store.readCounters('c')).toEqual({});
      });
    });

    describe('leader lock', () => {
      it('lets one owner hold the lock; only the holder renews or releases it', async () => {
        expect(await h.store.acquireLock('collector', 'a', LONG)).toBe(true);
        expect(await h.store.acquireLock('collector', 'b', LONG)).toBe(false);
        expect(await h.store.acquireLock('collector', 'a', LONG)).toBe(true);
        expect(await h.store.renewLock('collector', 'b', LONG)).toBe(false);
        expect(await h.store.renewLock('collector', 'a', LONG)).toBe(true);
        await h.store.releaseLock('collector', 'b');
        expect(await h.store.acquireLock('collector', 'b', LONG)).toBe(false);
        await h.store.releaseLock('collector', 'a');
        expect(await h.store.renewLock('collector', 'a', LONG)).toBe(false);
        expect(await h.store.acquireLock('collector', 'b', LONG)).toBe(true);
        expect(await h.store.acquireLock('other-lock', 'a', LONG)).toBe(true);
      });

      it('keeps a renewed lock past its first TTL and frees it once renewals stop', async () => {
        expect(await h.store.acquireLock('collector', 'a', TTL)).toBe(true);
        await h.advance(TTL - 2 * MARGIN);
        expect(await h.store.renewLock('collector', 'a', TTL)).toBe(true);
        await h.advance(3 * MARGIN); // MARGIN past the first TTL: only the renewal keeps it
        expect(await h.store.acquireLock('collector', 'b', TTL)).toBe(false);
        await h.advance(TTL - 2 * MARGIN); // TTL + MARGIN after the renewal
        expect(await h.store.renewLock('collector', 'a', TTL)).toBe(false);
        expect(await h.store.acquireLock('collector', 'b', TTL)).toBe(true);
      });
    });

    describe('keys', () => {
      it('rejects org ids, families, generations and lock names that would make keys ambiguous', async () => {
        await expectCode(h.store.readMeta({ orgId: 'a:b', family: 'sites' }), 'STORE_BAD_KEY');
        await expectCode(h.store.readSnapshot({ orgId: ORG, family: 'x|y' }), 'STORE_BAD_KEY');
        await expectCode(h.store.beginGeneration(PORTS, 'g:1', LONG), 'STORE_BAD_KEY');
        await expectCode(h.store.acquireLock('a b', 'x', LONG), 'STORE_BAD_KEY');
        expect(await h.store.listFamilies()).toEqual([]);
      });

      it('rejects TTLs and page numbers that are not positive or whole', async () => {
        for (const ttl of [0, -1, Number.NaN]) await expectCode(h.store.beginGeneration(PORTS, 'g1', ttl), 'STORE_BAD_ARGUMENT');
        await expectCode(h.store.acquireLock('collector', 'a', 0), 'STORE_BAD_ARGUMENT');
        await h.store.beginGeneration(PORTS, 'g1', 1500.5);
        for (const index of [-1, 0.5]) await expectCode(h.store.putPage(PORTS, 'g1', index, 'x', progress(0), LONG), 'STORE_BAD_ARGUMENT');
        await expectCode(h.store.publish(PORTS, 'g1', -1, meta(1, 0), LONG), 'STORE_BAD_ARGUMENT');
        expect(await h.store.staging(PORTS)).toMatchObject({ generation: 'g1', pages: 0 });
      });

      it('answers ping', async () => {
        expect(await h.store.ping()).toBe(true);
      });
    });
  });
}
