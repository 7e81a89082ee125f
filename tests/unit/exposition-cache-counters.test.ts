import { describe, expect, it } from 'vitest';
import { encodeLabels, GATEWAY_PORT_FLAPS } from '../../src/store/counters.js';
import { ExpositionCache } from '../../src/server/exposition-cache.js';
import { MemoryStore } from '../../src/store/memory.js';
import { captureLog } from '../support/redis-store.js';

const KEY = { orgId: 'org-1', family: 'events' };
const FLAP = encodeLabels({ org_id: 'org-1', site_id: 's1', mac: 'aabbccddeeff', port_id: 'ge-0/0/0' });

async function publish(store: MemoryStore, generation: string): Promise<void> {
  await store.beginGeneration(KEY, generation, 600_000);
  // The port the counter counts: a counter series is rendered only while a record still has its port.
  const port = { kind: 'port', site_id: 's1', mac: 'aabbccddeeff', port_id: 'ge-0/0/0', last_flap_seconds: null };
  await store.putPage(KEY, generation, 0, JSON.stringify([port]), { cursor: null, recordsKept: 0, recordsDropped: 0 }, 600_000);
  await store.publish(KEY, generation, 1, {
    lastAttempt: Date.now(), lastSuccess: Date.now(), durationMs: 1, recordsKept: 0, recordsDropped: 0, pages: 1, calls: 1, intervalSeconds: 60,
  }, 600_000);
}

const body = (cache: ExpositionCache): string => cache.families().map((f) => f.chunk.body.toString()).join('');

describe('exposition cache and persistent counters', () => {
  it('re-renders a family when its counters move, even without a new generation', async () => {
    const store = new MemoryStore();
    const cache = new ExpositionCache(store, captureLog('warn').log);
    await publish(store, 'g1');
    await cache.refresh();
    expect(body(cache)).not.toMatch(/mist_wan_port_flaps_total/);
    // The collector applies a generation's increments just after publishing it: a refresh may land in between.
    await store.incrementCounters(GATEWAY_PORT_FLAPS, { [FLAP]: 2 });
    await cache.refresh();
    expect(body(cache)).toMatch(/^mist_wan_port_flaps_total\{org_id="org-1",site_id="s1",mac="aabbccddeeff",port_id="ge-0\/0\/0"\} 2$/m);
    const rendered = cache.families()[0]!.chunk;
    await cache.refresh();
    expect(cache.families()[0]!.chunk).toBe(rendered);
  });
});
