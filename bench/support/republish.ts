import type { Store } from '../../src/store/types.js';

/**
 * Publishes a new generation of every family with the same pages, and refreshes each family's success time so
 * nothing expires during the bench: what the collector's next cycle does, seen from the exporter. Run by the
 * bench process, so the exporter process does only its own work.
 */
export async function republish(store: Store, tag = 'bench'): Promise<number> {
  let families = 0;
  for (const key of await store.listFamilies()) {
    const snap = await store.readSnapshot(key);
    const meta = await store.readMeta(key);
    if (!snap || !meta) continue;
    const generation = `${tag}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const ttl = 3 * (meta.intervalSeconds ?? 600) * 1000;
    await store.beginGeneration(key, generation, ttl);
    for (const [i, page] of snap.pages.entries()) {
      await store.putPage(key, generation, i, page, { cursor: null, recordsKept: 0, recordsDropped: 0 }, ttl);
    }
    const now = Date.now();
    await store.publish(key, generation, snap.pages.length, {
      lastAttempt: now, lastSuccess: now, durationMs: meta.durationMs, recordsKept: meta.recordsKept,
      recordsDropped: meta.recordsDropped, pages: snap.pages.length, calls: meta.calls, intervalSeconds: meta.intervalSeconds,
    }, ttl);
    families += 1;
  }
  return families;
}
