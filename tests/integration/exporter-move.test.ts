import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FAMILY_CATALOGUES } from '../../src/families/registry.js';
import { startExporter, type RunningExporter } from '../../src/server/exporter.js';
import { collectOnce, exporterConfig, httpGet, parseSamples, type ParsedSample } from '../support/exporter-harness.js';
import { promtool, repeatedSeries } from '../support/exposition-checks.js';
import { captureLog, redisStoreHarness } from '../support/redis-store.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';
import { siteTruthOf } from '../support/truth.js';

/**
 * A gateway moved to another site, through the real pipeline (simulator over HTTP → collector cycles → Redis →
 * /metrics): after the next cycles none of its series (gauges or counters) carries the old site_id, the new site's
 * series exist, and its flap counters start at 0 and count a flap forced after the move as the truth says.
 */
const { log } = captureLog('error');
const COUNTER_NAMES = new Set(FAMILY_CATALOGUES.flatMap((c) => (c.counters ?? []).map((d) => d.name)));

type Harness = Awaited<ReturnType<typeof redisStoreHarness>>;
let sim: TestSim;
let h: Harness;
let exporter: RunningExporter;
beforeAll(async () => {
  sim = await startTestSim({ sites: 40 });
  h = await redisStoreHarness(inject('redisUrl'), 'move');
  exporter = await startExporter(h.store, exporterConfig(sim), log);
}, 60_000);
afterAll(async () => {
  await exporter?.close();
  await h?.cleanup();
  await sim?.close();
});

async function scrape(): Promise<ParsedSample[]> {
  await exporter.cache.refresh();
  const res = await httpGet(`${exporter.url}/metrics`);
  expect(res.status).toBe(200);
  expect(repeatedSeries(res.text)).toEqual([]);
  expect(promtool(res.text)).toEqual({ code: 0, output: '' });
  return parseSamples(res.text);
}

const truthOf = (siteId: string) => siteTruthOf(sim, siteId);

describe('a gateway moved to another site', () => {
  it('leaves no series at its old site; its new site counts from 0 and counts a flap after the move', async () => {
    // A spoke gateway whose circuits never flap on their own, so the only flap is the forced one.
    const spokes = sim.sim.org.sites.filter((s) => !s.isHub);
    const steady = [];
    for (const s of spokes) if (!(await truthOf(s.id)).circuits.some((c) => c.flappy_trait)) steady.push(s);
    const from = steady.at(-1)!;
    const to = spokes.find((s) => s !== from)!;
    const mac = sim.sim.org.gateways[from.gatewayIndex]!.mac;
    await collectOnce(sim, h.store, log);
    await collectOnce(sim, h.store, log);
    const ofGateway = (samples: ParsedSample[]) => samples.filter((s) => s.labels.mac === mac);
    const before = ofGateway(await scrape());
    for (const name of ['mist_wan_port_up', 'mist_wan_port_flaps_total', 'mist_wan_port_failovers_total']) {
      expect(before.filter((s) => s.name === name && s.labels.site_id === from.id).length, `${name} at the old site`).toBeGreaterThan(0);
    }
    expect(before.every((s) => s.labels.site_id === undefined || s.labels.site_id === from.id)).toBe(true);

    const retired = sim.sim.org.gateways[to.gatewayIndex]!.mac;
    expect((await sim.admin('POST', `/__sim/gateways/${retired}/decommission`)).status).toBe(200);
    expect((await sim.admin('POST', `/__sim/gateways/${mac}/move`, { site_id: to.id })).status).toBe(200);
    await collectOnce(sim, h.store, log);
    await collectOnce(sim, h.store, log);
    const moved = ofGateway(await scrape());
    expect(moved.filter((s) => s.labels.site_id === from.id).map((s) => s.name)).toEqual([]);
    expect(moved.filter((s) => COUNTER_NAMES.has(s.name)).length).toBeGreaterThan(0);
    for (const name of ['mist_wan_port_up', 'mist_wan_port_flaps_total', 'mist_wan_port_failovers_total']) {
      expect(moved.filter((s) => s.name === name && s.labels.site_id === to.id).length, `${name} at the new site`).toBeGreaterThan(0);
    }
    const flaps = (samples: ParsedSample[]) => samples.filter((s) => s.name === 'mist_wan_port_flaps_total');
    expect(flaps(moved).map((s) => s.value)).toEqual(flaps(moved).map(() => 0));
    const movedFailovers = moved.filter((s) => s.name === 'mist_wan_port_failovers_total');
    expect(movedFailovers.map((s) => s.value)).toEqual(movedFailovers.map(() => 0));

    // A flap forced after the move on the gateway's first circuit, addressed by its new site.
    const truthBefore = await truthOf(to.id);
    expect(truthBefore.gateway.mac).toBe(mac);
    const incident = await sim.admin<{ port_id: string }>('POST', '/__sim/incidents', { kind: 'flap', site_id: to.id });
    expect(incident.status).toBe(201);
    await sim.admin('POST', '/__sim/advance', { seconds: 240 });
    await collectOnce(sim, h.store, log);
    await collectOnce(sim, h.store, log);
    const truthAfter = await truthOf(to.id);
    const after = ofGateway(await scrape());
    expect(after.filter((s) => s.labels.site_id === from.id).map((s) => s.name)).toEqual([]);
    for (const c of truthAfter.circuits) {
      // The counter counts each GW_PORT_DOWN and GW_PORT_UP: the truth's transitions since the move.
      const expected = c.transitions - truthBefore.circuits.find((b) => b.port_id === c.port_id)!.transitions;
      const series = flaps(after).filter((s) => s.labels.port_id === c.port_id);
      expect(series.map((s) => [s.labels.site_id, s.value]), c.port_id).toEqual([[to.id, expected]]);
    }
    // The forced flap: one down, one up.
    expect(flaps(after).find((s) => s.labels.port_id === incident.body.port_id)?.value).toBe(2);
    // Failovers at the new site start at 0 and count what the truth counted since the move.
    const failovers = (samples: ParsedSample[]) => samples.filter((s) => s.name === 'mist_wan_port_failovers_total');
    expect(failovers(after).every((s) => s.labels.site_id === to.id)).toBe(true);
    const counted = failovers(after).reduce((sum, s) => sum + s.value, 0);
    expect(counted, 'the forced flap of the primary made a failover').toBeGreaterThan(0);
    expect(counted).toBe(truthAfter.gateway.failovers - truthBefore.gateway.failovers);
  }, 180_000);
});
