import { gunzipSync } from 'node:zlib';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAMILY_CATALOGUES } from '../../src/families/registry.js';
import { startExporter, type RunningExporter } from '../../src/server/exporter.js';
import { MemoryStore } from '../../src/store/memory.js';
import { collectOnce, exporterConfig, httpGet, type RawResponse } from '../support/exporter-harness.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';

/**
 * Correctness under concurrent scrapes (the timing side is bench/load.ts, docs/performance.md): every response
 * complete, and every scrape of a family one whole rendering of it, the old or the new one, while every family
 * re-renders. Families only (no self-metrics, which change per scrape), so equal data means equal bytes.
 */
const FAMILIES = FAMILY_CATALOGUES.map((c) => c.family);
const GZIP = { 'accept-encoding': 'gzip' };
const PLAIN = { 'accept-encoding': 'identity' };

/** The body as text, after checking the response is whole: 200, Content-Length bytes, and gzip that inflates (CRC and length checked by zlib). */
function whole(r: RawResponse): string {
  expect(r.status).toBe(200);
  expect(Number(r.headers['content-length'])).toBe(r.body.length);
  if (r.headers['content-encoding'] === 'gzip') return gunzipSync(r.body).toString('utf8');
  return r.text;
}

describe('scrapes under concurrency while families re-render (40-site simulator, in-process store)', () => {
  let sim: TestSim;
  let exporter: RunningExporter;
  const log = pino({ level: 'silent' });
  const store = new MemoryStore();

  beforeAll(async () => {
    sim = await startTestSim({ sites: 40 });
    await collectOnce(sim, store, log);
    exporter = await startExporter(store, exporterConfig(sim), log);
  });

  afterAll(async () => {
    await exporter?.close();
    await sim?.close();
  });

  it('24 concurrent scrapes (gzip and plain) are each complete and byte-identical to a lone plain scrape', async () => {
    expect(exporter.cache.families().map((f) => f.family)).toEqual(FAMILIES);
    const url = `${exporter.url}/metrics?family=${FAMILIES.join(',')}`;
    const alone = whole(await httpGet(url, PLAIN));
    expect(alone.length).toBeGreaterThan(100_000);
    const all = await Promise.all(Array.from({ length: 24 }, (_, i) => httpGet(url, i % 4 === 3 ? PLAIN : GZIP)));
    expect(all.filter((r) => r.headers['content-encoding'] === 'gzip')).toHaveLength(18);
    for (const r of all) expect(whole(r) === alone).toBe(true);
  });

  it('while every family re-renders, each scrape of a family is its old or its new rendering, whole', async () => {
    const one = async (family: string, headers = GZIP): Promise<string> => whole(await httpGet(`${exporter.url}/metrics?family=${family}`, headers));
    const before = new Map(await Promise.all(FAMILIES.map(async (f) => [f, await one(f, PLAIN)] as const)));
    // A new generation of every family, ten simulated minutes later: new values, rendered by the next refresh.
    await sim.admin('POST', '/__sim/advance', { seconds: 600 });
    await collectOnce(sim, store, log);
    const seen: { family: string; text: string }[] = [];
    let refreshed = false;
    const scraper = async (i: number): Promise<void> => {
      // Until the refresh has ended, then once more (that one is after every family's re-render).
      for (let n = 0, last = false; !last; n++) {
        last = refreshed;
        const family = FAMILIES[(i + n) % FAMILIES.length]!;
        seen.push({ family, text: await one(family) });
      }
    };
    const scrapers = Array.from({ length: 12 }, (_, i) => scraper(i));
    await exporter.cache.refresh();
    refreshed = true;
    await Promise.all(scrapers);
    const after = new Map(await Promise.all(FAMILIES.map(async (f) => [f, await one(f, PLAIN)] as const)));
    // The check has teeth only if renderings changed: most families carry values that move with time.
    const changed = FAMILIES.filter((f) => before.get(f) !== after.get(f));
    expect(changed.length).toBeGreaterThanOrEqual(4);
    expect(seen.length).toBeGreaterThanOrEqual(24);
    const torn = seen.filter((s) => s.text !== before.get(s.family) && s.text !== after.get(s.family));
    expect(torn.map((s) => s.family)).toEqual([]);
    expect(seen.filter((s) => changed.includes(s.family) && s.text === after.get(s.family)).length).toBeGreaterThan(0);
  });
});
