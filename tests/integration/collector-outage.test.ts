import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { prepareCollector, type PreparedCollector } from '../../src/collect/collector.js';
import { ALARMS_SEEN, decodeLabels, GATEWAY_EVENTS, GATEWAY_PORT_FLAPS, WAN_PORT_ACTIVE_CHANGES, WAN_PORT_FAILOVERS } from '../../src/store/counters.js';
import { runCycle } from '../../src/collect/cycle.js';
import { PORT_FLAP_EVENT_TYPES } from '../../src/families/events/collect.js';
import { eventsFamily } from '../../src/families/events/index.js';
import { FAMILIES } from '../../src/families/registry.js';
import { Scheduler } from '../../src/collect/scheduler.js';
import { startExporter, type RunningExporter } from '../../src/server/exporter.js';
import { ALARM_DEFS } from '../../src/sim/engine/alarms.js';
import type { Store } from '../../src/store/types.js';
import { exporterConfig, httpGet, parseSamples, samplesOf } from '../support/exporter-harness.js';
import { captureLog, redisStoreHarness } from '../support/redis-store.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';
import { advance, force, type Truth } from '../support/truth.js';

/**
 * Counting that survives outages, end to end: the real collector (HTTP to the simulator, real Redis) while Mist
 * answers 503 to everything for longer than three collection intervals, so every data snapshot expires, while a
 * port flaps, a gateway goes down (an alarm) and another fails over and back. After recovery every counter (flaps
 * per port, events by type, alarms seen, failovers and active changes per circuit) has moved exactly as the
 * simulator's truth and own logs say, and mist_collector_uncounted_gap_seconds reads 0. Then a gap longer than
 * Mist serves back (the simulator serves its searches SERVED_MINUTES back): the gap metrics report exactly the
 * part the simulator did not serve, what it served is counted once, and nothing is counted twice.
 *
 * Every family runs as in production: the registry's FAMILIES, in its order, through the Scheduler (circuits
 * runs before events, so after the outage circuits' first cycle comes before events has read the gap).
 * Cycles run with a 3 s interval (snapshot TTL 9 s of real time) so the snapshots really expire during the
 * outage; the simulated clock is nearly frozen (speed 0.001) and moved by /__sim/advance.
 */
const INTERVAL = 3;
/** How far back the simulator's alarm and event searches serve (--search-history-minutes). */
const SERVED_MINUTES = 360;

describe('counters across a Mist outage (30 sites, real Redis)', () => {
  let sim: TestSim;
  let store: Store;
  let cleanup: () => Promise<void>;
  let collector: PreparedCollector;
  let exporter: RunningExporter;
  const { log } = captureLog('error');

  let scheduler: Scheduler;
  /** One production round: every family once, in the registry's order, each succeeding. */
  const round = async () => {
    const results = await scheduler.runOnce();
    FAMILIES.forEach((f, i) => expect(results[i], f.name).toMatchObject({ ok: true }));
  };
  /**
   * Rounds after Mist is back: the first reads the gap (events after circuits), the second lets circuits replay
   * it (it counts once the events family has read past its last replay). Both at the same simulated instant.
   */
  const collectAll = async () => {
    await round();
    await round();
  };
  /** A counter group of this org as `key(labels)` → total. */
  const counters = async (group: string, key: (l: Record<string, string>) => string): Promise<Map<string, number>> => {
    const out = new Map<string, number>();
    for (const [f, n] of Object.entries(await store.readCounters(group))) {
      const l = decodeLabels(f);
      if (l?.org_id === sim.orgId) out.set(key(l), (out.get(key(l)) ?? 0) + n);
    }
    return out;
  };
  const all = async () => ({
    flaps: await counters(GATEWAY_PORT_FLAPS, (l) => `${l.mac}|${l.port_id}`),
    events: await counters(GATEWAY_EVENTS, (l) => l.event_type!),
    alarms: await counters(ALARMS_SEEN, (l) => `${l.alarm_type}|${l.severity}`),
    failovers: await counters(WAN_PORT_FAILOVERS, (l) => `${l.mac}|${l.port_id}|${l.to_port_id}`),
    changes: await counters(WAN_PORT_ACTIVE_CHANGES, (l) => `${l.mac}|${l.port_id}|${l.to_port_id}`),
    failoversByGateway: await counters(WAN_PORT_FAILOVERS, (l) => l.mac!),
  });
  const delta = (after: Map<string, number>, before: Map<string, number>) =>
    Object.fromEntries([...after].map(([k, n]) => [k, n - (before.get(k) ?? 0)]).filter(([, d]) => d !== 0));
  const truth = async (): Promise<Truth> => (await sim.admin<Truth>('GET', '/__sim/truth')).body;
  const cursorOf = async (family: string): Promise<number> => {
    const state = JSON.parse((await store.readState({ orgId: sim.orgId, family }))!) as { kind: string; until_seconds: number }[];
    return state.find((r) => r.kind === 'cursor')!.until_seconds;
  };
  const gapMetric = async (): Promise<Map<string, number>> => {
    await exporter.cache.refresh();
    const samples = parseSamples((await httpGet(`${exporter.url}/metrics?family=exporter`)).text);
    return new Map(samplesOf(samples, 'mist_collector_uncounted_gap_seconds').filter((s) => s.labels.org_id === sim.orgId).map((s) => [s.labels.family!, s.value]));
  };
  /** mist_collector_uncounted_gap_seconds_total of this org, by family. */
  const gapTotal = async (): Promise<Map<string, number>> => {
    await exporter.cache.refresh();
    const samples = parseSamples((await httpGet(`${exporter.url}/metrics?family=exporter`)).text);
    return new Map(samplesOf(samples, 'mist_collector_uncounted_gap_seconds_total').filter((s) => s.labels.org_id === sim.orgId).map((s) => [s.labels.family!, s.value]));
  };
  /** Mist fails; waits (real time) until the snapshots of the counting families have expired. */
  const outage = async (body: () => Promise<void>) => {
    expect((await sim.admin('POST', '/__sim/faults', { kind: 'error', status: 503 })).status).toBeLessThan(300);
    expect(await runCycle(collector.schedulerDeps, eventsFamily, sim.orgId, INTERVAL, new AbortController().signal)).toMatchObject({ ok: false });
    await body();
    for (let i = 0; i < 300; i++) {
      const left = await Promise.all(['events', 'alarms', 'circuits', 'wan-ports'].map((family) => store.readSnapshot({ orgId: sim.orgId, family })));
      if (left.every((s) => s === null)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const family of ['events', 'alarms', 'circuits']) expect(await store.readSnapshot({ orgId: sim.orgId, family }), family).toBeNull();
    expect((await sim.admin('DELETE', '/__sim/faults')).status).toBeLessThan(300);
  };
  /** The simulator's own event log in [from, to): per type, and GW_PORT_* per `mac|port`. */
  const logged = (from: number, to: number) => {
    const types = new Map<string, number>();
    const ports = new Map<string, number>();
    for (const e of sim.sim.engine.ctx.events.range(from, to)) {
      types.set(e.type, (types.get(e.type) ?? 0) + 1);
      if (PORT_FLAP_EVENT_TYPES.has(e.type)) {
        const key = `${sim.sim.org.gateways[e.gatewayIndex]!.mac}|${e.portId}`;
        ports.set(key, (ports.get(key) ?? 0) + 1);
      }
    }
    return { types: Object.fromEntries(types), ports: Object.fromEntries(ports) };
  };
  /** Alarms the simulator raised in [from, to), by `type|severity`. */
  const raised = (from: number, to: number) => {
    const out = new Map<string, number>();
    for (const a of sim.sim.engine.ctx.alarms.overlapping(from, to)) {
      if (a.timestamp < from) continue;
      const key = `${a.type}|${ALARM_DEFS[a.type].severity}`;
      out.set(key, (out.get(key) ?? 0) + 1);
    }
    return Object.fromEntries(out);
  };
  /**
   * The simulator's active-circuit moves in (from, to] by `mac|port|to_port`: its own rule (gateway-step.ts: the
   * first up port in priority order, re-evaluated at every step), replayed over its own log of port transitions
   * from the truth's port states at `from`.
   */
  const simMoves = (before: Truth, from: number, to: number) => {
    const out = new Map<string, number>();
    for (const site of before.sites) {
      const gw = sim.sim.org.gatewayByMac.get(site.gateway.mac)!;
      const order = gw.wanPortIndexes.map((p) => sim.sim.org.wanPorts[p]!.portId);
      const up = new Map(site.circuits.map((c) => [c.port_id, c.up]));
      let active = site.gateway.active_port;
      const steps = new Map<number, { port: string; up: boolean }[]>();
      for (const e of sim.sim.engine.ctx.events.range(from + 1e-9, to + 1e-9)) {
        if (e.gatewayIndex !== gw.index || !PORT_FLAP_EVENT_TYPES.has(e.type)) continue;
        steps.set(e.timestamp, [...(steps.get(e.timestamp) ?? []), { port: e.portId!, up: e.type === 'GW_PORT_UP' }]);
      }
      for (const [, changes] of [...steps].sort(([a], [b]) => a - b)) {
        for (const c of changes) up.set(c.port, c.up);
        const next = order.find((p) => up.get(p) === true) ?? null;
        if (active !== null && next !== null && next !== active) {
          const key = `${site.gateway.mac}|${active}|${next}`;
          out.set(key, (out.get(key) ?? 0) + 1);
        }
        active = next;
      }
    }
    return Object.fromEntries(out);
  };

  beforeAll(async () => {
    sim = await startTestSim({ sites: 30, speed: 0.001, warmupMinutes: 120, searchHistoryMinutes: SERVED_MINUTES });
    const h = await redisStoreHarness(inject('redisUrl'), 'collector-outage');
    store = h.store;
    cleanup = h.cleanup;
    collector = await prepareCollector(exporterConfig(sim), log, { store });
    expect(collector.jobs.map((j) => j.family.name)).toEqual(FAMILIES.map((f) => f.name));
    scheduler = new Scheduler(collector.schedulerDeps, collector.jobs.map((j) => ({ ...j, intervalSeconds: INTERVAL })), log);
    await collectAll();
    await advance(sim, 60);
    await collectAll();
    exporter = await startExporter(store, exporterConfig(sim), log);
  }, 60_000);

  afterAll(async () => {
    await exporter?.close();
    await collector?.api.close();
    await cleanup?.();
    await sim?.close();
  });

  it('counts every flap, event, alarm, failover and active change of an outage longer than 3 intervals exactly once', async () => {
    const steady = sim.sim.org.sites.filter((s) => !s.isHub && sim.sim.org.gateways[s.gatewayIndex]!.wanPortIndexes.length >= 2
      && sim.sim.org.gateways[s.gatewayIndex]!.wanPortIndexes.every((p) => !sim.sim.org.wanPorts[p]!.traits.flappy));
    const [flapSite, failoverSite, downSite] = steady;
    expect(downSite).toBeDefined();
    const before = await all();
    const truthBefore = await truth();
    const since = await cursorOf('events');
    const alarmsSince = await cursorOf('alarms');
    expect(since).toBe(Math.floor(sim.sim.engine.now));

    await outage(async () => {
      await advance(sim, 30);
      const flapPort = sim.sim.org.wanPorts[sim.sim.org.gateways[flapSite!.gatewayIndex]!.wanPortIndexes[1]!]!.portId;
      await force(sim, { kind: 'flap', site_id: flapSite!.id, port_id: flapPort, duration_seconds: 60 });
      await force(sim, { kind: 'failover', site_id: failoverSite!.id, duration_seconds: 120 });
      await force(sim, { kind: 'outage', site_id: downSite!.id, duration_seconds: 300 });
      for (let i = 0; i < 10; i++) await advance(sim, 60);
    });
    await collectAll();
    const after = await all();
    const truthAfter = await truth();
    const now = Math.floor(sim.sim.engine.now);
    expect(await cursorOf('events')).toBe(now);

    // Flaps per port: exactly the truth's transitions; events by type: exactly the simulator's log.
    const transitions = (t: Truth) => new Map(t.sites.flatMap((s) => s.circuits.map((c) => [`${s.gateway.mac}|${c.port_id}`, c.transitions])));
    expect(delta(after.flaps, before.flaps)).toEqual(delta(transitions(truthAfter), transitions(truthBefore)));
    const log = logged(since, now);
    expect(delta(after.events, before.events)).toEqual(log.types);
    expect(log.types.GW_DISCONNECTED).toBeGreaterThanOrEqual(1);
    // Alarms seen: every alarm raised in the gap, once (the forced outage's gateway_down among them).
    const alarms = raised(alarmsSince, now);
    expect(delta(after.alarms, before.alarms)).toEqual(alarms);
    expect(alarms['gateway_down|critical']).toBeGreaterThanOrEqual(1);
    // Failovers per gateway: the truth's; the forced failover and fail-back, invisible to two cycles, from the events.
    const failoversOf = (t: Truth) => new Map(t.sites.map((s) => [s.gateway.mac, s.gateway.failovers]));
    expect(delta(after.failoversByGateway, before.failoversByGateway)).toEqual(delta(failoversOf(truthAfter), failoversOf(truthBefore)));
    const fgw = sim.sim.org.gateways[failoverSite!.gatewayIndex]!;
    const [primary, secondary] = fgw.wanPortIndexes.map((p) => sim.sim.org.wanPorts[p]!.portId);
    expect(delta(after.failovers, before.failovers)[`${fgw.mac}|${primary}|${secondary}`]).toBe(1);
    expect(truthAfter.sites.find((s) => s.site_id === failoverSite!.id)!.gateway.active_port).toBe(primary);
    // Active changes per pair of circuits: the simulator's own moves.
    expect(delta(after.changes, before.changes)).toEqual(simMoves(truthBefore, since, now));
    expect(delta(after.changes, before.changes)[`${fgw.mac}|${secondary}|${primary}`]).toBe(1);
    // Nothing left uncounted.
    expect(Object.fromEntries(await gapMetric())).toMatchObject({ events: 0, alarms: 0 });
  }, 120_000);

  it('reports a gap longer than Mist serves back, counts what it serves exactly once, and nothing twice', async () => {
    const before = await all();
    const truthBefore = await truth();
    const gapBefore = await gapTotal();
    const since = await cursorOf('events');
    const alarmsSince = await cursorOf('alarms');
    const site = sim.sim.org.sites.find((s) => !s.isHub)!;
    const mac = sim.sim.org.gateways[site.gatewayIndex]!.mac;
    const downSite = sim.sim.org.sites.filter((s) => !s.isHub)[1]!;
    await outage(async () => {
      // In the part Mist no longer serves: a flap, and a gateway down long enough for an alarm.
      await force(sim, { kind: 'flap', site_id: site.id, duration_seconds: 60 });
      await force(sim, { kind: 'outage', site_id: downSite.id, duration_seconds: 300 });
      await advance(sim, SERVED_MINUTES * 60 + 2 * 3600);
      // Within what it serves: the same again.
      await force(sim, { kind: 'flap', site_id: site.id, duration_seconds: 60 });
      await force(sim, { kind: 'outage', site_id: downSite.id, duration_seconds: 300 });
      await advance(sim, 600);
    });
    await round(); // events reads the gap (and reports it: the gauge is the last cycle's) …
    // The windows the simulator answered: each ends at the walk's new cursor (its `end`), and starts
    // SERVED_MINUTES before (its `start`, later than the collector asked).
    const until = await cursorOf('events');
    const alarmsUntil = await cursorOf('alarms');
    const served = until - SERVED_MINUTES * 60;
    const alarmsServed = alarmsUntil - SERVED_MINUTES * 60;
    expect(served).toBeGreaterThan(since + 3600);
    const gap = await gapMetric();
    expect(Object.fromEntries(gap)).toMatchObject({ events: served - since, alarms: alarmsServed - alarmsSince });
    await round(); // … and circuits replays what it can
    expect(delta(await gapTotal(), gapBefore)).toEqual({ events: served - since, alarms: alarmsServed - alarmsSince });

    // Counted: exactly what the simulator served after the cursor (its own log and alarm store).
    const after = await all();
    const log = logged(served, until);
    expect(delta(after.events, before.events)).toEqual(log.types);
    expect(delta(after.flaps, before.flaps)).toEqual(log.ports);
    const servedAlarms = new Map<string, number>();
    for (const a of sim.sim.engine.ctx.alarms.overlapping(alarmsServed, alarmsUntil)) {
      if (a.timestamp < alarmsSince) continue; // known before the gap
      const key = `${a.type}|${ALARM_DEFS[a.type].severity}`;
      servedAlarms.set(key, (servedAlarms.get(key) ?? 0) + 1);
    }
    expect(delta(after.alarms, before.alarms)).toEqual(Object.fromEntries(servedAlarms));
    expect(servedAlarms.get('gateway_down|critical')).toBeGreaterThanOrEqual(1);
    expect(raised(alarmsSince, alarmsServed)['gateway_down|critical']).toBeGreaterThanOrEqual(1); // raised, resolved, not served
    // The site's flaps in the part not served were lost (the gap metrics say so), never guessed.
    const truthAfter = await truth();
    const siteTransitions = (t: Truth) => t.sites.find((s) => s.site_id === site.id)!.circuits.reduce((n, c) => n + c.transitions, 0);
    const countedAtSite = Object.entries(delta(after.flaps, before.flaps)).filter(([k]) => k.startsWith(`${mac}|`)).reduce((n, [, d]) => n + Number(d), 0);
    expect(countedAtSite).toBeGreaterThanOrEqual(2);
    expect(siteTransitions(truthAfter) - siteTransitions(truthBefore)).toBeGreaterThan(countedAtSite);
    // Failovers before the served window may be missed (documented), never invented.
    const truthFailovers = new Map(truthAfter.sites.map((s) => [s.gateway.mac, s.gateway.failovers - truthBefore.sites.find((b) => b.site_id === s.site_id)!.gateway.failovers]));
    for (const [gw, n] of Object.entries(delta(after.failoversByGateway, before.failoversByGateway))) expect(n, gw).toBeLessThanOrEqual(truthFailovers.get(gw)!);

    // Another cycle at the same instant counts nothing more; the gauge is back to 0, the total stays.
    const gapAfter = await gapTotal();
    await collectAll();
    const again = await all();
    for (const k of ['flaps', 'events', 'alarms', 'failovers', 'changes'] as const) expect(delta(again[k], after[k]), k).toEqual({});
    expect(Object.fromEntries(await gapMetric())).toMatchObject({ events: 0, alarms: 0 });
    expect(delta(await gapTotal(), gapAfter)).toEqual({});
  }, 180_000);
});

