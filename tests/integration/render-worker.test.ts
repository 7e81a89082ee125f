import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { FAMILY_CATALOGUES } from '../../src/families/registry.js';
import { renderFamily, type OrgRecords } from '../../src/metrics/exposition.js';
import { WorkerRenderer } from '../../src/server/renderer.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { Store } from '../../src/store/types.js';
import {
  specCircuitRecords, specGatewayOrgRecords, specOrgRecords, specSiteRecords, specVpnPeerRecords, specWanPortRecords,
} from '../fixtures/records/openapi.js';
import { specAlarmsOrgRecords, specEventsOrgRecords } from '../fixtures/records/openapi-activity.js';
import { specSleDetailsOrgRecords, specSleOrgRecords } from '../fixtures/records/openapi-sle.js';
import { publishRecords } from '../support/exporter-harness.js';
import { redisStoreHarness } from '../support/redis-store.js';

/**
 * The render worker against both stores: what it renders equals the golden exposition byte for byte (so moving
 * rendering off the serving thread changed nothing on /metrics); with Redis it reads the snapshots itself and
 * the serving thread's store is never asked for pages; a worker that runs out of memory fails that render with
 * a message that names the setting, and the next render works.
 */
const SPEC: Record<string, () => OrgRecords[]> = {
  org: specOrgRecords, sites: specSiteRecords, gateways: specGatewayOrgRecords, 'wan-ports': specWanPortRecords,
  'vpn-peers': specVpnPeerRecords, circuits: specCircuitRecords,
  sle: specSleOrgRecords, 'sle-details': specSleDetailsOrgRecords,
  alarms: specAlarmsOrgRecords, events: specEventsOrgRecords,
};

interface Fixture { readonly orgs: OrgRecords[]; readonly counters?: Record<string, Record<string, number>> }

function fixture(family: string): Fixture {
  const hand = JSON.parse(readFileSync(new URL(`../fixtures/records/${family}.json`, import.meta.url), 'utf8')) as Fixture;
  return { orgs: [...SPEC[family]!(), ...hand.orgs], counters: hand.counters };
}

/** Publishes every family's fixture, one snapshot per org, and its counters. */
async function fill(store: Store): Promise<void> {
  for (const family of Object.keys(SPEC)) {
    const { orgs, counters } = fixture(family);
    const byOrg = new Map<string, unknown[]>();
    for (const o of orgs) byOrg.set(o.orgId, [...(byOrg.get(o.orgId) ?? []), ...o.records]);
    for (const [orgId, records] of byOrg) await publishRecords(store, { orgId, family }, records, `g-${family}`);
    for (const [group, fields] of Object.entries(counters ?? {})) await store.incrementCounters(group, fields);
  }
}

/** Counts the serving thread's calls that read page data. */
function watched(store: Store): { store: Store; pageReads: () => number } {
  let reads = 0;
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (prop === 'readSnapshot' || prop === 'readCounters') reads += 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, pageReads: () => reads };
}

const orgIdsOf = (family: string): string[] => [...new Set(fixture(family).orgs.map((o) => o.orgId))];

async function expectGoldenRenders(renderer: WorkerRenderer): Promise<void> {
  for (const catalogue of FAMILY_CATALOGUES) {
    const family = catalogue.family;
    const { orgs, counters } = fixture(family);
    // Orgs merged per snapshot, as stored: the reference renders the same input on this thread.
    const expected = await renderFamily(catalogue, orgIdsOf(family).map((orgId) => ({ orgId, records: orgs.filter((o) => o.orgId === orgId).flatMap((o) => o.records) })), counters);
    const out = await renderer.render({
      family, keys: orgIdsOf(family).map((orgId) => ({ orgId, family })),
      counterGroups: [...new Set((catalogue.counters ?? []).map((d) => d.group))],
    });
    expect(out, family).not.toBeNull();
    expect(out!.chunk.body.toString(), family).toBe(expected.text);
    expect([out!.series, out!.invalid, out!.orgs], family).toEqual([expected.series, expected.invalid, orgIdsOf(family).length]);
    expect(out!.chunk.size).toBe(Buffer.byteLength(expected.text));
  }
}

describe('render worker', () => {
  const redis = redisStoreHarness(inject('redisUrl'), 'render-worker');
  afterAll(async () => (await redis).cleanup());

  it('with Redis: reads the snapshots itself and renders every family as the serving thread would', async () => {
    const h = await redis;
    await fill(h.store);
    const { store, pageReads } = watched(h.store);
    const renderer = new WorkerRenderer(store);
    try {
      await expectGoldenRenders(renderer);
      expect(pageReads()).toBe(0);
    } finally {
      await renderer.close();
    }
  });

  it('with the in-process store: gets the pages posted and renders the same bytes', async () => {
    const store = new MemoryStore();
    await fill(store);
    const renderer = new WorkerRenderer(store);
    try {
      await expectGoldenRenders(renderer);
    } finally {
      await renderer.close();
    }
  });

  it('renders an org whose snapshot is empty (no series) and returns null when no snapshot is left', async () => {
    const store = new MemoryStore();
    await publishRecords(store, { orgId: 'o1', family: 'alarms' }, [], 'g1');
    const renderer = new WorkerRenderer(store);
    try {
      const empty = await renderer.render({ family: 'alarms', keys: [{ orgId: 'o1', family: 'alarms' }], counterGroups: [] });
      expect([empty?.orgs, empty?.series, empty?.chunk.size]).toEqual([1, 0, 0]);
      expect(await renderer.render({ family: 'alarms', keys: [{ orgId: 'gone', family: 'alarms' }], counterGroups: [] })).toBeNull();
      await expect(renderer.render({ family: 'no-such-family', keys: [{ orgId: 'o1', family: 'alarms' }], counterGroups: [] }))
        .rejects.toThrow(/unknown family no-such-family/);
    } finally {
      await renderer.close();
    }
  });

  it('reports its own render time, ends its worker on release and starts another for the next render', async () => {
    const store = new MemoryStore();
    await fill(store);
    const job = { family: 'org', keys: orgIdsOf('org').map((orgId) => ({ orgId, family: 'org' })), counterGroups: [] };
    // A worker whose start-up takes at least STARTUP_S (a preloaded module that sleeps): had the reported time
    // included the start-up, it would be at least that, whatever the machine's speed. No clock is read here.
    const STARTUP_S = 5;
    const sleeper = `data:text/javascript,Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,${STARTUP_S * 1000})`;
    const execArgv = [...process.execArgv];
    process.execArgv.push('--import', sleeper);
    const renderer = new WorkerRenderer(store);
    try {
      const first = await renderer.render(job);
      expect(renderer.running).toBe(true);
      // The render's own time (rendering org takes milliseconds), not the worker's start-up.
      expect(first!.seconds).toBeGreaterThan(0);
      expect(first!.seconds).toBeLessThan(STARTUP_S);
      await renderer.release();
      expect(renderer.running).toBe(false);
      const second = await renderer.render(job);
      expect(second!.chunk.body.equals(first!.chunk.body)).toBe(true);
    } finally {
      process.execArgv.splice(0, process.execArgv.length, ...execArgv);
      await renderer.close();
    }
  }, 60_000);

  it('a worker out of memory fails its render with a message naming EXPORTER_RENDER_HEAP_MB; the next render works', async () => {
    const store = new MemoryStore();
    // 400,000 small sites: more label strings than a 128 MiB heap holds while rendering them. (Many small
    // allocations: that is what Node turns into ERR_WORKER_OUT_OF_MEMORY. A few huge strings can abort the
    // whole process instead, nodejs/node#47224, which is why the default limit is far above the need.)
    const big = Array.from({ length: 400_000 }, (_, i) => ({
      site_id: `s${i}`, name: `site number ${i}`, region: 'r', sitegroups: [], country_code: null, timezone: null, address: null, latitude: null, longitude: null,
    }));
    await publishRecords(store, { orgId: 'o1', family: 'sites' }, big, 'g1');
    await fill(store);
    const small = new WorkerRenderer(store, { youngMb: 4, oldMb: 128 });
    try {
      await expect(small.render({ family: 'sites', keys: [{ orgId: 'o1', family: 'sites' }], counterGroups: [] }))
        .rejects.toThrow(/ran out of memory \(EXPORTER_RENDER_HEAP_MB=128\)/);
      expect(small.running).toBe(false);
      const out = await small.render({ family: 'org', keys: orgIdsOf('org').map((orgId) => ({ orgId, family: 'org' })), counterGroups: [] });
      expect(out!.series).toBeGreaterThan(0);
    } finally {
      await small.close();
    }
  });
});
