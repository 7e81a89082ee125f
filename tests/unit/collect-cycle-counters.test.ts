import { describe, expect, it } from 'vitest';
import { defaultFamilySettings } from '../../src/collect/family.js';
import { runCycle, type CycleDeps } from '../../src/collect/cycle.js';
import type { Family } from '../../src/collect/family.js';
import type { MistApi } from '../../src/mist/types.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { Store } from '../../src/store/types.js';
import { captureLog } from '../support/redis-store.js';

/** A family that counts 2 flaps per cycle, as an events family would. */
const flapping: Family<{ n: number }> = {
  name: 'events',
  defaultIntervalSeconds: 60,
  priority: 'availability',
  resumable: false,
  callsPerCycle: () => 0,
  async *run() {
    yield { records: [{ n: 1 }], dropped: {}, cursor: null, counters: { flaps: { 'port=ge-0/0/0': 2 } } };
  },
};

const noApi: MistApi = {
  pages: () => { throw new Error('no calls expected'); },
  getOne: () => { throw new Error('no calls expected'); },
  count: () => { throw new Error('no calls expected'); },
};

function depsFor(store: Store): CycleDeps {
  return { store, api: noApi, log: captureLog('warn').log, settings: defaultFamilySettings(), now: () => Date.now() };
}

describe('counter increments of a cycle', () => {
  it('are applied once per published generation', async () => {
    const store = new MemoryStore();
    for (let i = 0; i < 3; i++) expect((await runCycle(depsFor(store), flapping, 'org-1', 60, new AbortController().signal)).ok).toBe(true);
    expect(await store.readCounters('flaps')).toEqual({ 'port=ge-0/0/0': 6 });
  });

  it('are replayed, exactly once, by the next cycle when the collector died between publishing and counting', async () => {
    const store = new MemoryStore();
    let failNext = true;
    const dying: Store = Object.assign(Object.create(store) as Store, {
      incrementCounters: async (...args: Parameters<Store['incrementCounters']>) => {
        if (failNext) {
          failNext = false;
          throw new Error('collector died');
        }
        return store.incrementCounters(...args);
      },
    });
    const first = await runCycle(depsFor(dying), flapping, 'org-1', 60, new AbortController().signal);
    expect(first.ok).toBe(false);
    expect((await store.readMeta({ orgId: 'org-1', family: 'events' }))?.counterDeltas).toEqual({ flaps: { 'port=ge-0/0/0': 2 } });
    expect(await store.readCounters('flaps')).toEqual({});
    // The next cycle replays the first generation's increments, then counts its own.
    expect((await runCycle(depsFor(dying), flapping, 'org-1', 60, new AbortController().signal)).ok).toBe(true);
    expect(await store.readCounters('flaps')).toEqual({ 'port=ge-0/0/0': 4 });
    // Replays of already applied increments are skipped.
    expect((await runCycle(depsFor(dying), flapping, 'org-1', 60, new AbortController().signal)).ok).toBe(true);
    expect(await store.readCounters('flaps')).toEqual({ 'port=ge-0/0/0': 6 });
  });
});

describe('family state published with the generation', () => {
  /** A family that counts the events after the cursor in its state, as events and alarms do. */
  const events: number[] = [];
  const stateful: Family<{ until: number }> = {
    name: 'alarms',
    defaultIntervalSeconds: 60,
    priority: 'standard',
    resumable: false,
    callsPerCycle: () => 0,
    async *run(ctx) {
      const saved = (await ctx.readState()) as { until: number } | null;
      const until = Math.max(0, ...events);
      const counted = saved === null ? 0 : events.filter((t) => t > saved.until).length;
      yield { records: [{ until }], dropped: {}, cursor: null, counters: { seen: { all: counted } }, state: { until } };
    },
  };
  const KEY = { orgId: 'org-1', family: 'alarms' };
  const run = (store: Store) => runCycle(depsFor(store), stateful, 'org-1', 60, new AbortController().signal);

  it('counts every event exactly once through a failed publish and a death between publishing and counting', async () => {
    const store = new MemoryStore();
    let failPublish = false;
    let failCount = false;
    const flaky: Store = Object.assign(Object.create(store) as Store, {
      publish: async (...args: Parameters<Store['publish']>) => {
        if (failPublish) throw new Error('Redis went away');
        return store.publish(...args);
      },
      incrementCounters: async (...args: Parameters<Store['incrementCounters']>) => {
        // Dies right after publishing the generation that counts 3 (not at the start-of-cycle replay).
        if (failCount && args[1].all === 3) {
          failCount = false;
          throw new Error('collector died');
        }
        return store.incrementCounters(...args);
      },
    });
    events.push(10);
    expect((await run(flaky)).ok).toBe(true); // first-ever cycle: history, not counted
    expect(JSON.parse((await store.readState(KEY))!)).toEqual({ until: 10 });
    events.push(11, 12);
    failPublish = true;
    expect((await run(flaky)).ok).toBe(false);
    expect(JSON.parse((await store.readState(KEY))!)).toEqual({ until: 10 }); // neither state nor counts moved
    failPublish = false;
    events.push(13);
    failCount = true;
    expect((await run(flaky)).ok).toBe(false); // published (state until 13, deltas 3), not counted
    expect(JSON.parse((await store.readState(KEY))!)).toEqual({ until: 13 });
    expect(await store.readCounters('seen')).toEqual({ all: 0 });
    events.push(14);
    expect((await run(flaky)).ok).toBe(true); // replays 3, counts 1
    expect((await run(flaky)).ok).toBe(true); // nothing new
    expect(await store.readCounters('seen')).toEqual({ all: 4 });
  });
});
