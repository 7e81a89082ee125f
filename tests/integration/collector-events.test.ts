import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { prepareCollector, type PreparedCollector } from '../../src/collect/collector.js';
import { decodeLabels, GATEWAY_EVENTS, GATEWAY_PORT_FLAPS } from '../../src/store/counters.js';
import { runCycle } from '../../src/collect/cycle.js';
import { EVENT_BASELINE_SECONDS, GATEWAY_EVENT_TYPES, PORT_FLAP_EVENT_TYPES } from '../../src/families/events/collect.js';
import { eventsFamily } from '../../src/families/events/index.js';
import { gatewaysFamily } from '../../src/families/gateways/index.js';
import { wanPortsFamily } from '../../src/families/wan-ports/index.js';
import type { Family } from '../../src/collect/family.js';
import type { EventsRecord, PortFlapRecord } from '../../src/families/events/records.js';
import { startExporter, type RunningExporter } from '../../src/server/exporter.js';
import type { Store } from '../../src/store/types.js';
import { exporterConfig, injectGet, parseSamples, readRecords, samplesOf } from '../support/exporter-harness.js';
import { captureLog, redisStoreHarness } from '../support/redis-store.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';
import { advance, force, type Truth } from '../support/truth.js';

/**
 * The events family against the simulator over real HTTP into a real Redis, checked against the simulator's
 * truth and its own event log: a forced flap counts exactly 2 on its port, every other port counts exactly the
 * transitions the truth saw, events are never counted twice, and a restarted collector goes on counting.
 * The simulated clock is nearly frozen (speed 0.001) so only /__sim/advance moves it: the API's whole-second
 * window end and the truth then describe the same instant.
 */
describe('events family against the simulator (60 sites, real Redis)', () => {
  let sim: TestSim;
  let store: Store;
  let cleanup: () => Promise<void>;
  let collector: PreparedCollector;
  let exporter: RunningExporter;
  const { log } = captureLog('warn');
  const families: readonly Family[] = [gatewaysFamily, wanPortsFamily, eventsFamily];

  const prepare = () => prepareCollector(exporterConfig(sim), log, { store, families });
  const cycle = async (family: Family = eventsFamily, on = collector) => {
    const r = await runCycle(on.schedulerDeps, family, sim.orgId, family.defaultIntervalSeconds, new AbortController().signal);
    expect(r, family.name).toMatchObject({ ok: true });
  };
  /** Store counters of this org, by `mac|port_id` (flaps) or event type. */
  const flaps = async () => byKey(await store.readCounters(GATEWAY_PORT_FLAPS), (l) => `${l.mac}|${l.port_id}`, sim.orgId);
  const eventTotals = async () => byKey(await store.readCounters(GATEWAY_EVENTS), (l) => l.event_type!, sim.orgId);
  const transitions = async () => {
    const truth = (await sim.admin<Truth>('GET', '/__sim/truth')).body;
    return new Map(truth.sites.flatMap((s) => s.circuits.map((c) => [`${s.gateway.mac}|${c.port_id}`, c.transitions])));
  };
  const records = () => readRecords<EventsRecord>(store, { orgId: sim.orgId, family: 'events' });
  const until = async () => (await records()).find((r) => r.kind === 'cursor')!.until_seconds;
  const scrape = async () => {
    await exporter.cache.refresh();
    return parseSamples((await injectGet(exporter, `/metrics?family=events`)).text);
  };
  /** The simulator's own log: the latest GW_PORT_* event per port in [from, to). */
  const lastFlapsInLog = (from: number, to: number) => {
    const out = new Map<string, number>();
    for (const e of sim.sim.engine.ctx.events.range(from, to)) {
      if (PORT_FLAP_EVENT_TYPES.has(e.type)) out.set(`${sim.sim.org.gateways[e.gatewayIndex]!.mac}|${e.portId}`, e.timestamp);
    }
    return out;
  };

  let baselineUntil: number;
  let afterFlap: Map<string, number>;

  beforeAll(async () => {
    sim = await startTestSim({ sites: 60, speed: 0.001 });
    const h = await redisStoreHarness(inject('redisUrl'), 'collector-events');
    store = h.store;
    cleanup = h.cleanup;
    collector = await prepare();
    for (const f of families) await cycle(f);
    baselineUntil = await until();
    exporter = await startExporter(store, exporterConfig(sim), log, { listen: false });
  }, 60_000);

  afterAll(async () => {
    await exporter?.close();
    await collector?.api.close();
    await cleanup?.();
    await sim?.close();
  });

  it('counts no history on its first cycle: every WAN port starts at 0, last flaps of the past hour are known', async () => {
    const counters = await flaps();
    expect(counters.size).toBe(sim.sim.org.wanPorts.length);
    expect([...counters.values()].every((n) => n === 0)).toBe(true);
    expect(baselineUntil).toBe(Math.floor(sim.sim.engine.now));
    const expected = lastFlapsInLog(baselineUntil - EVENT_BASELINE_SECONDS, baselineUntil);
    expect(expected.size).toBeGreaterThan(0);
    const known = (await records()).filter((r): r is PortFlapRecord => r.kind === 'port' && r.last_flap_seconds !== null);
    expect(new Map(known.map((p) => [`${p.mac}|${p.port_id}`, p.last_flap_seconds]))).toEqual(expected);
    const types = await eventTotals();
    expect(types.size).toBe(GATEWAY_EVENT_TYPES.length);
    expect([...types.values()].every((n) => n === 0)).toBe(true);
  });

  it('counts a forced 60 s flap as exactly 2 on that port, and on every other port exactly the truth\'s transitions', async () => {
    const site = sim.sim.org.sites.find((s) => !s.isHub && !sim.sim.org.wanPorts[sim.sim.org.gateways[s.gatewayIndex]!.wanPortIndexes[0]!]!.traits.flappy)!;
    const gw = sim.sim.org.gateways[site.gatewayIndex]!;
    const portId = sim.sim.org.wanPorts[gw.wanPortIndexes[0]!]!.portId;
    const [countersBefore, truthBefore] = [await flaps(), await transitions()];
    const incident = await force(sim, { kind: 'flap', site_id: site.id, port_id: portId, duration_seconds: 60 });
    await advance(sim, 120);
    await cycle();
    afterFlap = await flaps();
    const truthAfter = await transitions();
    const delta = (after: Map<string, number>, before: Map<string, number>) =>
      Object.fromEntries([...after].map(([k, n]) => [k, n - (before.get(k) ?? 0)]).filter(([, d]) => d !== 0));
    const key = `${gw.mac}|${portId}`;
    expect(delta(truthAfter, truthBefore)[key]).toBe(2);
    expect(delta(afterFlap, countersBefore)).toEqual(delta(truthAfter, truthBefore));
    const port = (await records()).find((r): r is PortFlapRecord => r.kind === 'port' && r.mac === gw.mac && r.port_id === portId)!;
    expect(port.last_flap_seconds).toBe(incident.end);
    // What the exporter serves: the store's totals (the last flap is the wan-ports family's last_flapped).
    const samples = await scrape();
    const served = samplesOf(samples, 'mist_wan_port_flaps_total').filter((s) => s.labels.org_id === sim.orgId);
    expect(new Map(served.map((s) => [`${s.labels.mac}|${s.labels.port_id}`, s.value]))).toEqual(afterFlap);
    expect(served.find((s) => s.labels.mac === gw.mac && s.labels.port_id === portId)!.labels.site_id).toBe(site.id);
  });

  it('counts every gateway event since its first cycle by type, exactly as the simulator logged them', async () => {
    const logged = new Map<string, number>();
    for (const e of sim.sim.engine.ctx.events.range(baselineUntil, await until())) logged.set(e.type, (logged.get(e.type) ?? 0) + 1);
    const totals = await eventTotals();
    expect(Object.fromEntries([...totals].filter(([, n]) => n > 0))).toEqual(Object.fromEntries(logged));
    expect(logged.get('GW_PORT_DOWN')).toBeGreaterThanOrEqual(1);
    const served = samplesOf(await scrape(), 'mist_gateway_events_total').filter((s) => s.labels.org_id === sim.orgId);
    expect(new Map(served.map((s) => [s.labels.event_type!, s.value]))).toEqual(totals);
  });

  it('changes nothing when a cycle finds no new events (the overlap\'s events are not counted again)', async () => {
    const events = await eventTotals();
    await cycle();
    expect(await flaps()).toEqual(afterFlap);
    expect(await eventTotals()).toEqual(events);
  });

  it('goes on counting, without recounting, in a freshly started collector on the same store', async () => {
    await collector.api.close();
    collector = await prepare();
    await cycle();
    expect(await flaps()).toEqual(afterFlap);
    const site = sim.sim.org.sites.filter((s) => !s.isHub)[1]!;
    const gw = sim.sim.org.gateways[site.gatewayIndex]!;
    const [truthBefore, before] = [await transitions(), await flaps()];
    await force(sim, { kind: 'flap', site_id: site.id, duration_seconds: 60 });
    await advance(sim, 120);
    await cycle();
    const [truthAfter, after] = [await transitions(), await flaps()];
    for (const [k, n] of after) expect(n - before.get(k)!, k).toBe(truthAfter.get(k)! - truthBefore.get(k)!);
    const primary = `${gw.mac}|${sim.sim.org.wanPorts[gw.wanPortIndexes[0]!]!.portId}`;
    expect(after.get(primary)! - before.get(primary)!).toBeGreaterThanOrEqual(2);
  });
});

function byKey(fields: Readonly<Record<string, number>>, key: (labels: Record<string, string>) => string, orgId: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const [field, n] of Object.entries(fields)) {
    const labels = decodeLabels(field);
    if (labels?.org_id === orgId) out.set(key(labels), n);
  }
  return out;
}
