import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { decodeLabels } from '../../src/store/counters.js';
import { FAMILY_CATALOGUES } from '../../src/families/registry.js';
import { startExporter, type RunningExporter } from '../../src/server/exporter.js';
import { collectOnce, exporterConfig, httpGet, parseSamples, readRecords } from '../support/exporter-harness.js';
import { promtool, repeatedSeries } from '../support/exposition-checks.js';
import { captureLog, redisStoreHarness } from '../support/redis-store.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';

/**
 * No ghost or duplicate series, through the real pipeline: the simulator over HTTP → collector cycles → Redis →
 * the exporter's /metrics. A decommissioned gateway's gauges and counters leave with the next snapshot;
 * overlapping pages (the simulator's page_overlap fault) give no duplicate series and are counted.
 */
type Harness = Awaited<ReturnType<typeof redisStoreHarness>>;
const { log } = captureLog('error');

async function scrape(exporter: RunningExporter): Promise<string> {
  await exporter.cache.refresh();
  const res = await httpGet(`${exporter.url}/metrics`);
  expect(res.status).toBe(200);
  return res.text;
}

const simPost = async (sim: TestSim, path: string, body?: unknown): Promise<Response> =>
  fetch(`${sim.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });

const COUNTER_NAMES = new Set(FAMILY_CATALOGUES.flatMap((c) => (c.counters ?? []).map((d) => d.name)));
const COUNTER_GROUPS = [...new Set(FAMILY_CATALOGUES.flatMap((c) => (c.counters ?? []).map((d) => d.group)))];

/** The pipeline under test for one describe block: a simulator, a real Redis store and an exporter on it. */
function pipeline(sites: number, label: string): { sim: TestSim; h: Harness; exporter: RunningExporter } {
  const p = {} as { sim: TestSim; h: Harness; exporter: RunningExporter };
  beforeAll(async () => {
    p.sim = await startTestSim({ sites });
    p.h = await redisStoreHarness(inject('redisUrl'), label);
    p.exporter = await startExporter(p.h.store, exporterConfig(p.sim), log);
  }, 60_000);
  afterAll(async () => {
    await p.exporter?.close();
    await p.h?.cleanup();
    await p.sim?.close();
  });
  return p;
}

describe('a decommissioned gateway leaves /metrics', () => {
  const p = pipeline(40, 'ghosts');

  it('with its gauges and its counters, at the next snapshot; its stored counters wait out the retention', async () => {
    const { sim, h, exporter } = p;
    await collectOnce(sim, h.store, log);
    await collectOnce(sim, h.store, log);
    const before = await scrape(exporter);
    // A gateway with counter series (its WAN ports' flap counters start at 0) whose ports never flapped: the events
    // family may keep a port that flapped recently, and this test is about the gateway leaving Mist.
    const ports = await readRecords<{ kind: string; mac: string; last_flap_seconds: number | null }>(h.store, { orgId: sim.orgId, family: 'events' });
    const flapped = new Set(ports.filter((p) => p.kind === 'port' && p.last_flap_seconds !== null).map((p) => p.mac));
    const samples = parseSamples(before);
    const candidates = [...new Set(samples.filter((s) => COUNTER_NAMES.has(s.name) && s.labels.mac).map((s) => s.labels.mac!))]
      .filter((mac) => !flapped.has(mac));
    const mac = candidates.at(-1)!;
    expect(mac, 'a gateway with counter series and no flap').toBeDefined();
    const ofGateway = (text: string) => parseSamples(text).filter((s) => s.labels.mac === mac);
    const shown = ofGateway(before);
    expect(shown.some((s) => COUNTER_NAMES.has(s.name))).toBe(true);
    expect(shown.some((s) => !COUNTER_NAMES.has(s.name))).toBe(true);
    const otherCounters = samples.filter((s) => COUNTER_NAMES.has(s.name) && s.labels.mac !== undefined && s.labels.mac !== mac).length;

    const res = await simPost(sim, `/__sim/gateways/${mac}/decommission`);
    expect(res.status).toBe(200);
    await collectOnce(sim, h.store, log);
    const after = await scrape(exporter);
    expect(ofGateway(after).map((s) => s.name)).toEqual([]);
    // The other gateways' counters are all still there.
    expect(parseSamples(after).filter((s) => COUNTER_NAMES.has(s.name) && s.labels.mac !== undefined).length).toBe(otherCounters);
    // Hidden, not deleted: within the retention a gateway that comes back resumes its totals.
    let stored = 0;
    for (const group of COUNTER_GROUPS) stored += Object.keys(await h.store.readCounters(group)).filter((f) => decodeLabels(f)?.mac === mac).length;
    expect(stored).toBeGreaterThan(0);
    expect(repeatedSeries(after)).toEqual([]);
    // Without overlapping pages nothing repeats.
    expect(parseSamples(after).filter((s) => s.name === 'mist_exporter_records_duplicate' && s.value !== 0)).toEqual([]);
    expect(promtool(after)).toEqual({ code: 0, output: '' });
  }, 120_000);
});

describe('overlapping pages', () => {
  const p = pipeline(400, 'ghosts-overlap');

  it('give no duplicate series, and the exporter counts the repeated records', async () => {
    const { sim, h, exporter } = p;
    // Every stats walk (stats/devices, stats/ports/search, stats/vpn_peers/search) repeats 40 rows at each page boundary.
    const fault = await simPost(sim, '/__sim/faults', { kind: 'page_overlap', match: '/stats/', rows: 40 });
    expect(fault.status).toBe(201);
    await collectOnce(sim, h.store, log);
    // Ground truth from the store, not from the renderer: WAN port records stored minus distinct ports (a repeated
    // row may carry other values: the simulator's time moved between the pages).
    const stored = await readRecords<{ mac: string; port_id: string }>(h.store, { orgId: sim.orgId, family: 'wan-ports' });
    const repeats = stored.length - new Set(stored.map((r) => `${r.mac}|${r.port_id}`)).size;
    expect(repeats, 'the fault made the walk repeat WAN ports').toBeGreaterThan(0);

    const text = await scrape(exporter);
    expect(repeatedSeries(text)).toEqual([]);
    const counted = parseSamples(text).find((s) => s.name === 'mist_exporter_records_duplicate' && s.labels.family === 'wan-ports');
    expect(counted?.value).toBe(repeats);
    // One series per port: as many wan-port series of one metric as distinct ports.
    expect(parseSamples(text).filter((s) => s.name === 'mist_wan_port_up').length).toBe(stored.length - repeats);
    expect(promtool(text)).toEqual({ code: 0, output: '' });
  }, 120_000);
});
