import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { prepareCollector, type PreparedCollector } from '../../src/collect/collector.js';
import { decodeLabels, WAN_PORT_ACTIVE_CHANGES, WAN_PORT_FAILOVERS } from '../../src/store/counters.js';
import type { Store } from '../../src/store/types.js';
import type { CircuitGatewayRecord, CircuitRecord, CircuitsRecord } from '../../src/families/circuits/records.js';
import type { VpnPathRecord } from '../../src/families/vpn-peers/records.js';
import { Scheduler } from '../../src/collect/scheduler.js';
import { startExporter, type RunningExporter } from '../../src/server/exporter.js';
import { RedisStore } from '../../src/store/redis.js';
import { exporterConfig, injectGet, parseSamples, readRecords, samplesOf } from '../support/exporter-harness.js';
import { captureLog, redisStoreHarness } from '../support/redis-store.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';
import { advance, force, truthOf, type Truth, type TruthSite } from '../support/truth.js';

/**
 * Circuits end to end: the real collector (HTTP to the simulator, real Redis) derives each gateway's active
 * circuit from the wan-ports and vpn-peers snapshots; a failover forced with /__sim/incidents moves it and
 * counts exactly one failover for exactly that gateway (from its primary to its secondary circuit), in the store
 * and on the exporter's /metrics, for an
 * SRX (ipsec rows name ports by id) and an SSR (svr rows name them by WAN interface name); and the counter
 * carries on across a collector restart.
 */
/** And events, as in production: circuits replays its port transitions, and holds while they are not read on. */
const DERIVED = ['wan-ports', 'vpn-peers', 'circuits', 'events'];
const { log } = captureLog('warn');

describe('circuits and failovers against the simulator (40 sites, real Redis)', () => {
  let sim: TestSim;
  let store: RedisStore;
  let prepared: PreparedCollector;
  let exporter: RunningExporter;
  let cleanup: () => Promise<void>;
  let redis: { url: string; prefix: string };
  let firstClosed = false;
  const chosen: Record<'srx' | 'ssr', TruthSite> = {} as Record<'srx' | 'ssr', TruthSite>;

  /** One cycle of the families circuits derive from, then circuits, then events, as the scheduler runs them. */
  const collectDerived = async (p: PreparedCollector = prepared): Promise<void> => {
    const results = await new Scheduler(p.schedulerDeps, p.jobs.filter((j) => DERIVED.includes(j.family.name)), log).runOnce();
    expect(results.map((r) => r.error ?? 'ok')).toEqual(['ok', 'ok', 'ok', 'ok']);
  };
  const allTruth = async (): Promise<Truth> => (await sim.admin<Truth>('GET', '/__sim/truth')).body;
  const failoversByMac = (t: Truth): Map<string, number> => new Map(t.sites.map((s) => [s.gateway.mac, s.gateway.failovers]));
  const field = (s: TruthSite): string => s.gateway.mac;
  /** A per-circuit counter group of this org summed per gateway MAC (the simulator's truth counts per gateway). */
  const perGateway = async (group: string, on: Store = store): Promise<Record<string, number>> => {
    const out: Record<string, number> = {};
    for (const [f, n] of Object.entries(await on.readCounters(group))) {
      const l = decodeLabels(f);
      if (l?.org_id === sim.orgId) out[l.mac!] = (out[l.mac!] ?? 0) + n;
    }
    return out;
  };
  const sumByMac = (samples: ReturnType<typeof samplesOf>): Map<string, number> => {
    const out = new Map<string, number>();
    for (const s of samples) out.set(s.labels.mac!, (out.get(s.labels.mac!) ?? 0) + s.value);
    return out;
  };
  const circuits = async (): Promise<CircuitsRecord[]> => readRecords<CircuitsRecord>(store, { orgId: sim.orgId, family: 'circuits' });
  const exported = async (): Promise<ReturnType<typeof parseSamples>> => {
    await exporter.cache.refresh();
    const res = await injectGet(exporter, `/metrics?family=circuits`);
    expect(res.status).toBe(200);
    return parseSamples(res.text);
  };
  const exportedFailovers = async (): Promise<Map<string, number>> =>
    sumByMac(samplesOf(await exported(), 'mist_wan_port_failovers_total'));

  beforeAll(async () => {
    sim = await startTestSim({ sites: 40 });
    const h = await redisStoreHarness(inject('redisUrl'), 'collector-circuits');
    store = h.store;
    redis = { url: inject('redisUrl'), prefix: h.prefix };
    cleanup = async () => { await h.cleanup(); };
    prepared = await prepareCollector(exporterConfig(sim), log, { store });
    // One cycle of every family, in order.
    const results = await new Scheduler(prepared.schedulerDeps, prepared.jobs, log).runOnce();
    const byFamily = Object.fromEntries(prepared.jobs.map((j, i) => [j.family.name, results[i]!.error ?? 'ok']));
    expect(byFamily).toMatchObject({ gateways: 'ok', 'wan-ports': 'ok', 'vpn-peers': 'ok', circuits: 'ok' });
    exporter = await startExporter(store, exporterConfig(sim), log, { listen: false });
    // Spokes on their primary, every circuit up and none flappy, with VPN paths: one SRX, one SSR.
    for (const s of (await allTruth()).sites) {
      const platform = sim.sim.org.gatewayByMac.get(s.gateway.mac)!.platform;
      const steady = !s.is_hub && s.gateway.connected && s.circuits.every((c) => c.up && !c.flappy_trait && c.paths_total > 0)
        && s.circuits.find((c) => c.active)?.role === 'primary' && s.circuits.length >= 2;
      if (steady && !chosen[platform]) chosen[platform] = s;
    }
    expect(Object.keys(chosen).sort()).toEqual(['srx', 'ssr']);
  }, 60_000);

  afterAll(async () => {
    await exporter?.close();
    if (!firstClosed) await prepared?.api.close();
    await cleanup?.();
    await sim?.close();
  });

  it('stores every WAN port\'s role and every gateway\'s active circuit as the simulator\'s truth has them', async () => {
    const truth = await allTruth();
    const records = await circuits();
    const roles = new Map(records.filter((r): r is CircuitRecord => r.kind === 'circuit').map((r) => [`${r.mac} ${r.port_id}`, r.role]));
    const active = new Map(records.filter((r): r is CircuitGatewayRecord => r.kind === 'gateway').map((r) => [r.mac, r.active_port_id]));
    expect(roles.size).toBe(sim.sim.org.wanPorts.length);
    expect(active.size).toBe(sim.sim.org.gateways.length);
    for (const s of truth.sites) {
      expect(active.get(s.gateway.mac), s.name).toBe(s.gateway.active_port);
      for (const c of s.circuits) expect(roles.get(`${s.gateway.mac} ${c.port_id}`), `${s.name} ${c.port_id}`).toBe(c.role);
    }
    // Spokes' active circuits are found through their VPN paths; SSR svr rows name ports by wan_name, which the
    // vpn-peers family resolves to the port id (the name kept in wan_name).
    const paths = await readRecords<VpnPathRecord>(store, { orgId: sim.orgId, family: 'vpn-peers' });
    expect(new Set(paths.map((p) => p.path_type))).toEqual(new Set(['ipsec', 'svr']));
    const ssr = records.find((r): r is CircuitGatewayRecord => r.kind === 'gateway' && r.mac === chosen.ssr.gateway.mac)!;
    const primary = chosen.ssr.circuits[0]!;
    expect(ssr).toMatchObject({ active_port_id: primary.port_id, active_role: 'primary', active_source: 'vpn' });
    expect(paths.some((p) => p.mac === ssr.mac && p.is_active && p.path_type === 'svr' && p.port_id === primary.port_id && p.wan_name === primary.wan_name)).toBe(true);
  });

  it('starts every pair of every gateway\'s circuits at 0 (failovers from its primary, changes between any two) and exports them', async () => {
    const failovers = await store.readCounters(WAN_PORT_FAILOVERS);
    const changes = await store.readCounters(WAN_PORT_ACTIVE_CHANGES);
    const ports = sim.sim.org.gateways.map((g) => g.wanPortIndexes.length);
    expect(Object.keys(failovers)).toHaveLength(ports.reduce((sum, n) => sum + n - 1, 0));
    expect(Object.keys(changes)).toHaveLength(ports.reduce((sum, n) => sum + n * (n - 1), 0));
    expect(new Set([...Object.values(failovers), ...Object.values(changes)])).toEqual(new Set([0]));
    expect([...(await exportedFailovers()).values()].every((v) => v === 0)).toBe(true);
  });

  describe.each(['srx', 'ssr'] as const)('a failover forced on an %s spoke', (platform) => {
    it('moves the active circuit to the secondary and counts one failover for exactly that gateway (store, /metrics, truth)', async () => {
      const site = chosen[platform];
      const truthBefore = failoversByMac(await allTruth());
      const storeBefore = await perGateway(WAN_PORT_FAILOVERS);
      const pairsBefore = await store.readCounters(WAN_PORT_FAILOVERS);
      const exportedBefore = await exportedFailovers();

      const incident = await force(sim, { kind: 'failover', site_id: site.site_id, duration_seconds: 300 });
      expect(incident.port_id).toBe(site.circuits.find((c) => c.role === 'primary')!.port_id);
      await advance(sim, 30);
      await collectDerived();

      // The simulator's truth: this gateway failed over once, no other did, and its secondary is active.
      const truthAfter = await allTruth();
      const deltas = (after: Map<string, number>, before: Map<string, number>) =>
        Object.fromEntries([...after].filter(([mac, v]) => v !== (before.get(mac) ?? 0)).map(([mac, v]) => [mac, v - (before.get(mac) ?? 0)]));
      expect(deltas(failoversByMac(truthAfter), truthBefore)).toEqual({ [site.gateway.mac]: 1 });
      const [now] = (await truthOf(sim, [site.site_id])).sites;
      const secondary = now!.circuits.find((c) => c.role === 'secondary')!;
      expect(now!.circuits.filter((c) => c.active).map((c) => c.port_id)).toEqual([secondary.port_id]);

      // The store's counter group: +1 on exactly that gateway's field.
      const storeAfter = await perGateway(WAN_PORT_FAILOVERS);
      expect(deltas(new Map(Object.entries(storeAfter)), new Map(Object.entries(storeBefore)))).toEqual({ [field(site)]: 1 });
      // ... on the pair it left and moved to: from the primary circuit to the secondary.
      const pairsAfter = await store.readCounters(WAN_PORT_FAILOVERS);
      const moved = Object.keys(pairsAfter).filter((f) => pairsAfter[f] !== (pairsBefore[f] ?? 0)).map((f) => decodeLabels(f));
      expect(moved).toEqual([{ org_id: sim.orgId, site_id: site.site_id, mac: site.gateway.mac, port_id: incident.port_id, to_port_id: now!.gateway.active_port }]);

      // The circuits snapshot: the secondary is the active circuit, found through the VPN paths.
      const records = (await circuits()).filter((r) => 'mac' in r && r.mac === site.gateway.mac);
      expect(records.filter((r): r is CircuitRecord => r.kind === 'circuit' && r.active).map((r) => [r.port_id, r.role])).toEqual([[secondary.port_id, 'secondary']]);
      expect(records.find((r) => r.kind === 'gateway')).toMatchObject({ active_port_id: now!.gateway.active_port, active_role: 'secondary', active_source: 'vpn' });

      // What the exporter serves.
      const samples = await exported();
      const exportedAfter = sumByMac(samplesOf(samples, 'mist_wan_port_failovers_total'));
      expect(deltas(exportedAfter, exportedBefore)).toEqual({ [site.gateway.mac]: 1 });
      const activeSeries = samplesOf(samples, 'mist_wan_port_active').filter((s) => s.labels.mac === site.gateway.mac);
      expect(Object.fromEntries(activeSeries.map((s) => [s.labels.port_id, s.value]))).toEqual(Object.fromEntries(now!.circuits.map((c) => [c.port_id, c.active ? 1 : 0])));
      expect(samplesOf(samples, 'mist_gateway_failed_over').find((s) => s.labels.mac === site.gateway.mac)?.value).toBe(1);

      // Another cycle while still failed over counts nothing more.
      await advance(sim, 30);
      await collectDerived();
      expect((await perGateway(WAN_PORT_FAILOVERS))[field(site)]).toBe(storeAfter[field(site)]);
    });
  });

  it('continues the counters across a collector restart: no reset, no double count, the next failover adds one', async () => {
    const site = chosen.srx;
    const before = await perGateway(WAN_PORT_FAILOVERS);
    const changesBefore = await perGateway(WAN_PORT_ACTIVE_CHANGES);
    expect(before[field(site)]).toBe(1);
    // The first collector goes away; a new one starts on the same Redis (its own connection).
    await prepared.api.close();
    firstClosed = true;
    const restarted = new RedisStore({ url: redis.url, prefix: redis.prefix }, log);
    try {
      const second = await prepareCollector(exporterConfig(sim), log, { store: restarted });
      try {
        // The SRX incident (300 s) ends: it fails back to its primary — a change, not a failover.
        const truthBefore = await allTruth();
        await advance(sim, 300);
        await collectDerived(second);
        const afterFailback = await perGateway(WAN_PORT_FAILOVERS, restarted);
        const [back] = (await truthOf(sim, [site.site_id])).sites;
        expect(back!.gateway.active_port).toBe(site.circuits.find((c) => c.role === 'primary')!.port_id);
        expect(afterFailback[field(site)]).toBe(1);
        expect((await perGateway(WAN_PORT_ACTIVE_CHANGES, restarted))[field(site)]).toBe(changesBefore[field(site)]! + 1);
        // Every gateway's counter still equals what the simulator counted since the first cycle (monotonic, no reset).
        const truthNow = failoversByMac(await allTruth());
        for (const s of truthBefore.sites) expect(afterFailback[field(s)]! - (before[field(s)] ?? 0), s.name).toBe(truthNow.get(s.gateway.mac)! - s.gateway.failovers);

        await force(sim, { kind: 'failover', site_id: site.site_id, duration_seconds: 300 });
        await advance(sim, 30);
        // The events family read the fail-back's GW_PORT_UP in the last round but not this GW_PORT_DOWN yet: its
        // replay ends on the primary while the ports snapshot has it down, so circuits waits for the next round.
        await collectDerived(second);
        await collectDerived(second);
        expect((await perGateway(WAN_PORT_FAILOVERS, restarted))[field(site)]).toBe(2);
        expect((await exportedFailovers()).get(site.gateway.mac)).toBe(2);
      } finally {
        await second.api.close();
      }
    } finally {
      await restarted.close();
    }
  });
});
