import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { prepareCollector, type PreparedCollector } from '../../src/collect/collector.js';
import { Scheduler } from '../../src/collect/scheduler.js';
import type { Inventory, InventoryEntry } from '../../src/inventory/types.js';
import { startExporter, type RunningExporter } from '../../src/server/exporter.js';
import type { RedisStore } from '../../src/store/redis.js';
import { exporterConfig, httpGet, parseSamples, samplesOf, type ParsedSample } from '../support/exporter-harness.js';
import { captureLog, redisStoreHarness } from '../support/redis-store.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';
import { advance, siteTruthOf, truthOf, type Truth, type TruthSite } from '../support/truth.js';

/**
 * The circuit inventory end to end: the real collector (HTTP to the simulator, real Redis) with an inventory
 * giving one spoke's wan1 an asymmetric contract (100 Mb/s down, 20 Mb/s up) by site *name* and wan_name, pinning
 * another spoke's wan2 as primary, and naming a site Mist does not have. The exporter serves the contract per
 * direction, the speed elsewhere (the simulator's truth), the source in mist_wan_port_info and the unmatched
 * entry; utilisation over a minute of simulated traffic divides by the contract.
 */
const { log } = captureLog('warn');
const mbps = (n: number): number => (n * 1e6) / 8;
const entry = (over: Partial<InventoryEntry>): InventoryEntry => ({
  site: '', port: '', line: 0, downBytesPerSecond: null, upBytesPerSecond: null, provider: null, circuitId: null, role: null, org: null, ...over,
});

describe('circuit inventory applied by the real collector (40 sites, real Redis, exporter)', () => {
  let sim: TestSim;
  let store: RedisStore;
  let prepared: PreparedCollector;
  let exporter: RunningExporter;
  let cleanup: () => Promise<void>;
  let contracted: TruthSite;
  let pinned: TruthSite;
  let inventory: Inventory;

  const collect = async (families?: readonly string[]): Promise<void> => {
    const jobs = prepared.jobs.filter((j) => !families || families.includes(j.family.name));
    const deps = { ...prepared.schedulerDeps, settings: { ...prepared.schedulerDeps.settings, inventory: () => inventory } };
    const results = await new Scheduler(deps, jobs, log).runOnce();
    expect(results.map((r) => r.error ?? 'ok')).toEqual(jobs.map(() => 'ok'));
  };
  const served = async (): Promise<ParsedSample[]> => {
    await exporter.cache.refresh();
    const res = await httpGet(`${exporter.url}/metrics?family=wan-ports,circuits`);
    expect(res.status).toBe(200);
    return parseSamples(res.text);
  };
  const valueOf = (samples: ParsedSample[], name: string, mac: string, portId: string): number | undefined =>
    samplesOf(samples, name).find((s) => s.labels.mac === mac && s.labels.port_id === portId)?.value;

  beforeAll(async () => {
    sim = await startTestSim({ sites: 40 });
    const h = await redisStoreHarness(inject('redisUrl'), 'collector-inventory');
    store = h.store;
    cleanup = h.cleanup;
    prepared = await prepareCollector(exporterConfig(sim), log, { store });
    const truth = (await sim.admin<Truth>('GET', '/__sim/truth')).body;
    // Spokes on their primary wan1 with traffic, every circuit up, a 1 Gb/s-class port (faster than the contract).
    const steady = truth.sites.filter((s) => !s.is_hub && s.gateway.connected && s.circuits.length >= 2 && s.circuits.every((c) => c.up && !c.flappy_trait)
      && s.circuits.find((c) => c.active)?.wan_name === 'wan1' && s.circuits.some((c) => c.wan_name === 'wan2'));
    contracted = steady.find((s) => s.circuits.find((c) => c.wan_name === 'wan1')!.speed_mbps > 100 && s.circuits.find((c) => c.wan_name === 'wan1')!.rx_bps > 0)!;
    pinned = steady.find((s) => s !== contracted)!;
    expect(contracted).toBeDefined();
    expect(pinned).toBeDefined();
    inventory = {
      source: 'test', loadedAt: Date.now(), entries: [
        entry({ site: contracted.name.toUpperCase(), port: 'WAN1', line: 2, downBytesPerSecond: mbps(100), upBytesPerSecond: mbps(20), provider: 'Acme Fiber', circuitId: 'CKT-1' }),
        entry({ site: pinned.site_id, port: pinned.circuits.find((c) => c.wan_name === 'wan2')!.port_id, line: 3, role: 'primary' }),
        entry({ site: 'No Such Store', port: 'wan1', line: 4 }),
      ],
    };
    await collect();
    exporter = await startExporter(store, exporterConfig(sim), log);
  }, 120_000);

  afterAll(async () => {
    await exporter?.close();
    await prepared?.api.close();
    await cleanup?.();
    await sim?.close();
  });

  it('serves the contract per direction where the inventory has the port, and the simulator\'s port speed everywhere else', async () => {
    const samples = await served();
    const wan1 = contracted.circuits.find((c) => c.wan_name === 'wan1')!;
    const mac = contracted.gateway.mac;
    expect(valueOf(samples, 'mist_wan_port_receive_bandwidth_bytes_per_second', mac, wan1.port_id)).toBe(12.5e6);
    expect(valueOf(samples, 'mist_wan_port_transmit_bandwidth_bytes_per_second', mac, wan1.port_id)).toBe(2.5e6);
    expect(valueOf(samples, 'mist_wan_port_speed_bytes_per_second', mac, wan1.port_id)).toBe(mbps(wan1.speed_mbps));
    const info = samplesOf(samples, 'mist_wan_port_info');
    expect(info.find((s) => s.labels.mac === mac && s.labels.port_id === wan1.port_id)!.labels).toMatchObject({
      wan_name: 'wan1', role: 'primary', provider: 'Acme Fiber', circuit_id: 'CKT-1', bandwidth_source: 'inventory',
    });
    // Every other port of the org: the link speed the simulator gives it, source port_speed.
    const truth = (await sim.admin<Truth>('GET', '/__sim/truth')).body;
    let others = 0;
    for (const s of truth.sites) {
      for (const c of s.circuits) {
        if (s.gateway.mac === mac && c.port_id === wan1.port_id) continue;
        others += 1;
        expect(valueOf(samples, 'mist_wan_port_receive_bandwidth_bytes_per_second', s.gateway.mac, c.port_id), `${s.name} ${c.port_id}`).toBe(mbps(c.speed_mbps));
        expect(valueOf(samples, 'mist_wan_port_transmit_bandwidth_bytes_per_second', s.gateway.mac, c.port_id), `${s.name} ${c.port_id}`).toBe(mbps(c.speed_mbps));
      }
    }
    expect(others).toBe(sim.sim.org.wanPorts.length - 1);
    expect(info.filter((s) => s.labels.bandwidth_source === 'port_speed')).toHaveLength(others);
  });

  it('lets the inventory\'s role override CIRCUIT_ROLES: the pinned wan2 is primary and wan1 is not a second primary', async () => {
    const info = samplesOf(await served(), 'mist_wan_port_info').filter((s) => s.labels.mac === pinned.gateway.mac);
    const roles = Object.fromEntries(info.map((s) => [s.labels.wan_name, s.labels.role]));
    expect(roles.wan2).toBe('primary');
    expect(Object.values(roles).filter((r) => r === 'primary')).toHaveLength(1);
  });

  it('reports the entry that names a site Mist does not have, and the inventory\'s size', async () => {
    const samples = await served();
    expect(samplesOf(samples, 'mist_wan_inventory_unmatched_entry').map((s) => s.labels)).toEqual([
      { org_id: sim.orgId, site: 'No Such Store', port: 'wan1', line: '4', reason: 'unknown site' },
    ]);
    expect(samplesOf(samples, 'mist_wan_inventory_entries').map((s) => s.value)).toEqual([3]);
  });

  it('divides a minute of traffic by the contract: utilisation as the simulator\'s own byte counters give it', async () => {
    const wan1 = contracted.circuits.find((c) => c.wan_name === 'wan1')!;
    const mac = contracted.gateway.mac;
    const read = async (): Promise<{ served: number; bandwidth: number; truth: number; now: number }> => {
      const samples = await served();
      const t = await truthOf(sim, [contracted.site_id]);
      return {
        served: valueOf(samples, 'mist_wan_port_receive_bytes_total', mac, wan1.port_id)!,
        bandwidth: valueOf(samples, 'mist_wan_port_receive_bandwidth_bytes_per_second', mac, wan1.port_id)!,
        truth: t.sites[0]!.circuits.find((c) => c.port_id === wan1.port_id)!.rx_bytes,
        now: t.now,
      };
    };
    // Collected and read back to back, so the served counters and the truth describe (almost) the same moment.
    await collect(['wan-ports', 'circuits']);
    const before = await read();
    await advance(sim, 60);
    await collect(['wan-ports', 'circuits']);
    const after = await read();
    const seconds = after.now - before.now;
    const utilisation = (after.served - before.served) / seconds / after.bandwidth;
    const truth = (after.truth - before.truth) / seconds / 12.5e6;
    expect((await siteTruthOf(sim, contracted.site_id)).circuits.find((c) => c.port_id === wan1.port_id)!.up).toBe(true);
    console.log(`inventory line 100/20 Mb/s on a ${wan1.speed_mbps} Mb/s port: receive utilisation ${(utilisation * 100).toFixed(2)} % `
      + `(truth ${(truth * 100).toFixed(2)} %; by port speed it would read ${((utilisation * after.bandwidth) / mbps(wan1.speed_mbps) * 100).toFixed(2)} %)`);
    expect(utilisation).toBeGreaterThan(0);
    // The truth is read a moment after each collection (the simulator's clock runs): a few % of margin, where
    // dividing by the port speed instead would be off by a factor of speed / 100 Mb/s (at least 2.5).
    expect(utilisation / truth).toBeGreaterThan(0.95);
    expect(utilisation / truth).toBeLessThan(1.05);
    expect(wan1.speed_mbps / 100).toBeGreaterThanOrEqual(2.5);
  });
});
