import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { prepareCollector, type PreparedCollector } from '../../src/collect/collector.js';
import type { GatewayRecord } from '../../src/families/gateways/records.js';
import type { SiteRecord } from '../../src/families/sites/records.js';
import type { WanPortRecord } from '../../src/families/wan-ports/records.js';
import { Scheduler } from '../../src/collect/scheduler.js';
import { loadConfig } from '../../src/config/index.js';
import type { Store } from '../../src/store/types.js';
import { captureLog, redisStoreHarness } from '../support/redis-store.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';

/**
 * One full collection cycle of the 3,208-site simulated org into a real Redis, through the real client over
 * HTTP: everything the simulator reports is stored, with exactly the calls the plan predicts.
 */
describe('collector full cycle (3,208 sites, real Redis)', () => {
  let sim: TestSim;
  let store: Store;
  let prepared: PreparedCollector;
  let cleanup: () => Promise<void>;
  let callsBefore: number;
  let byRouteBefore: Record<string, number>;

  beforeAll(async () => {
    sim = await startTestSim({ sites: 3208 });
    const h = await redisStoreHarness(inject('redisUrl'), 'collector-cycle');
    store = h.store;
    cleanup = h.cleanup;
    const config = loadConfig({ MIST_API_TOKENS: sim.token, MIST_HOST: sim.url, LOG_LEVEL: 'warn' }, { envFile: '/nonexistent' });
    prepared = await prepareCollector(config, captureLog('warn').log, { store });
    callsBefore = (await sim.admin<{ total: number }>('GET', '/__sim/calls')).body.total;
    byRouteBefore = (await sim.admin<{ by_route: Record<string, number> }>('GET', '/__sim/calls')).body.by_route;
    const results = await new Scheduler(prepared.schedulerDeps, prepared.jobs, captureLog('warn').log).runOnce();
    expect(results.map((r) => r.ok)).toEqual(prepared.jobs.map(() => true));
  }, 120_000);

  afterAll(async () => {
    await prepared?.api.close();
    await cleanup?.();
    await sim?.close();
  });

  const records = async <T>(family: string): Promise<T[]> => {
    const snap = await store.readSnapshot({ orgId: sim.orgId, family });
    expect(snap, `${family} snapshot`).not.toBeNull();
    return snap!.pages.flatMap((p) => JSON.parse(p) as T[]);
  };

  it('uses the calls the plan predicted: exactly one per page of each collection, the deep dive within its budget', async () => {
    const calls = (await sim.admin<{ total: number; rate_limited: number; by_route: Record<string, number> }>('GET', '/__sim/calls')).body;
    const made = (route: string): number => (calls.by_route[route] ?? 0) - (byRouteBefore[route] ?? 0);
    const perCycle = Object.fromEntries(prepared.plan.rows.map((r) => [r.family, r.callsPerCycle]));
    const org = '/api/v1/orgs/:org_id';
    // Collections whose size the plan measured: exactly one call per 1,000-row page.
    expect(made(org)).toBe(perCycle.org);
    expect(made(`${org}/sitegroups`) + made(`${org}/sites`)).toBe(perCycle.sites);
    expect(made(`${org}/inventory`) + made(`${org}/stats/devices`)).toBe(perCycle.gateways);
    expect(made(`${org}/stats/ports/search`)).toBe(perCycle['wan-ports']);
    expect(made(`${org}/stats/vpn_peers/search`)).toBe(perCycle['vpn-peers']);
    expect(made(`${org}/insights/sites-sle`) + made(`${org}/insights/:metric`)).toBe(perCycle.sle);
    // Incremental families: the plan's estimate is an upper bound on a quiet org.
    expect(made(`${org}/alarms/search`)).toBeLessThanOrEqual(perCycle.alarms!);
    expect(made(`${org}/devices/events/search`)).toBeGreaterThanOrEqual(1);
    expect(made(`${org}/devices/events/search`)).toBeLessThanOrEqual(2);
    // The budgeted deep dive spends at most what the fixed families leave.
    const deepDive = Object.keys(calls.by_route).filter((r) => r.startsWith('/api/v1/sites/')).reduce((s, r) => s + made(r), 0);
    expect(deepDive).toBeGreaterThan(0);
    expect(deepDive).toBeLessThanOrEqual(prepared.plan.budgets['sle-details']!);
    // Start-up: /self and /self/usage per token, then 5 size calls.
    expect(callsBefore).toBe(2 + 5);
    expect(calls.rate_limited).toBe(0);
  });

  it('stores every site with its region from the Region site groups ("unknown" without one)', async () => {
    const sites = await records<SiteRecord>('sites');
    expect(sites).toHaveLength(sim.sim.org.sites.length);
    const byId = new Map(sites.map((s) => [s.site_id, s]));
    for (const s of sim.sim.org.sites) expect(byId.get(s.id)?.region, s.name).toBe(s.region === '' ? 'unknown' : s.region);
    expect(sites.filter((s) => s.region === 'unknown').length).toBe(sim.sim.org.sites.filter((s) => s.region === '').length);
  });

  it('stores every gateway with its WAN interfaces from if_stat/if2_stat', async () => {
    const gateways = await records<GatewayRecord>('gateways');
    expect(gateways).toHaveLength(sim.sim.org.gateways.length);
    const byMac = new Map(gateways.map((g) => [g.mac, g]));
    for (const gw of sim.sim.org.gateways) {
      const r = byMac.get(gw.mac)!;
      expect(r.wan_interfaces.map((w) => w.port_id).sort()).toEqual(gw.wanPortIndexes.map((p) => sim.sim.org.wanPorts[p]!.portId).sort());
      expect(r.connected).toBe(true);
    }
  });

  it('stores every WAN port (and no LAN port) with wan_name/wan_type joined and base units', async () => {
    const ports = await records<WanPortRecord>('wan-ports');
    expect(ports).toHaveLength(sim.sim.org.wanPorts.length);
    const org = (await sim.admin<{ counts: { wan_ports: number } }>('GET', '/__sim/org')).body;
    expect(ports).toHaveLength(org.counts.wan_ports);
    const byKey = new Map(ports.map((p) => [`${p.mac}|${p.port_id}`, p]));
    for (const port of sim.sim.org.wanPorts) {
      const r = byKey.get(`${sim.sim.org.gateways[port.gatewayIndex]!.mac}|${port.portId}`);
      expect(r, port.portId).toBeDefined();
      expect(r!.wan_name).toBe(port.wanName);
      expect(r!.wan_type).toBe(port.wanType);
      expect(r!.speed_bytes_per_second).toBe((port.linkSpeedMbps * 1e6) / 8);
    }
  });

  it('records freshness metadata per family', async () => {
    for (const family of ['org', 'sites', 'gateways', 'wan-ports']) {
      const meta = await store.readMeta({ orgId: sim.orgId, family });
      expect(meta, family).toMatchObject({ lastError: null, recordsDropped: 0 });
      expect(meta!.lastSuccess).toBeGreaterThan(0);
      expect(meta!.generation).not.toBeNull();
    }
    expect((await store.readMeta({ orgId: sim.orgId, family: 'wan-ports' }))!.pages).toBe(15);
  });
});
