import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getOrg, getSelfUsage, listGatewayStats, listInventory, listSitegroups, listSites, searchGatewayPorts } from '../../src/mist/endpoints.js';
import { tokenFingerprint } from '../../src/mist/fingerprint.js';
import type { MistClient } from '../../src/mist/index.js';
import { simCalls, simClient, walk, type SimClient } from '../support/mist-sim-client.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';

/** The Mist client against the simulator over real HTTP: whole walks of a 300-site org, counted call by call. */

interface SimOrgInfo { counts: { sites: number; sitegroups: number; gateways: number; wan_ports: number; lan_ports: number } }

const pagesOf = (rows: number): number => Math.max(1, Math.ceil(rows / 1000));

describe('Mist client walking a 300-site org', () => {
  let t: TestSim;
  let c: SimClient;
  let client: MistClient;
  let counts: SimOrgInfo['counts'];
  beforeAll(async () => {
    t = await startTestSim({ sites: 300 });
    counts = (await t.admin<SimOrgInfo>('GET', '/__sim/org')).body.counts;
    c = await simClient(t);
    client = c.client;
  });
  afterAll(async () => {
    await client.close();
    await t.close();
  });

  it('validates its token with one /self and reads its usage with one /self/usage, then knows the org', async () => {
    const calls = await simCalls(t);
    expect(calls.by_route).toEqual({ '/api/v1/self': 1, '/api/v1/self/usage': 1 });
    expect(client.orgIds()).toEqual([t.orgId]);
    expect(client.usage()).toEqual([{ fingerprint: tokenFingerprint(t.token), used: 2, limit: 5000, coolingUntil: 0 }]);
    await expect(client.getOne(getOrg(t.orgId))).resolves.toMatchObject({ id: t.orgId, name: t.sim.org.name });
    await expect(client.getOne(getSelfUsage())).resolves.toMatchObject({ request_limit: 5000, requests: 4 });
  });

  it('walks sites, site groups, gateway inventory, gateway stats and WAN ports: everything, in ceil(n/1000) calls each', async () => {
    await t.admin('DELETE', '/__sim/calls');
    const [sites, groups, inventory, stats, ports] = [
      await walk(client, listSites(t.orgId)), await walk(client, listSitegroups(t.orgId)), await walk(client, listInventory(t.orgId)),
      await walk(client, listGatewayStats(t.orgId)), await walk(client, searchGatewayPorts(t.orgId)),
    ];
    expect(sites.records.map((s) => s.id).sort()).toEqual(t.sim.org.sites.map((s) => s.id).sort());
    expect(groups.records).toHaveLength(counts.sitegroups);
    expect(new Set(inventory.records.map((d) => d.mac))).toEqual(new Set(t.sim.org.gateways.map((g) => g.mac)));
    expect(stats.records).toHaveLength(counts.gateways);
    const wanKeys = t.sim.org.wanPorts.map((p) => `${t.sim.org.gateways[p.gatewayIndex]!.mac}|${p.portId}`).sort();
    expect(ports.records.map((p) => `${p.mac}|${p.port_id}`).sort()).toEqual(wanKeys);
    expect(ports.pages.at(-1)?.total).toBe(counts.wan_ports + counts.lan_ports);
    for (const w of [sites, groups, inventory, stats, ports]) for (const p of w.pages) expect(p.dropped).toEqual({});

    const calls = await simCalls(t);
    const org = '/api/v1/orgs/:org_id';
    expect(calls.by_route).toEqual({
      [`${org}/sites`]: pagesOf(counts.sites),
      [`${org}/sitegroups`]: pagesOf(counts.sitegroups),
      [`${org}/inventory`]: pagesOf(counts.gateways),
      [`${org}/stats/devices`]: pagesOf(counts.gateways),
      [`${org}/stats/ports/search`]: pagesOf(counts.wan_ports + counts.lan_ports),
    });
    expect(calls.rate_limited + calls.faulted + calls.unauthorized).toBe(0);
    expect(c.records.filter((r) => r.failure !== null)).toEqual([]);
  });

  it('every WAN port has its wan_name and wan_type in its gateway\'s if_stat', async () => {
    const stats = await walk(client, listGatewayStats(t.orgId));
    const ports = await walk(client, searchGatewayPorts(t.orgId));
    const names = new Map<string, string>();
    for (const g of stats.records) {
      for (const s of [...Object.values(g.if_stat), ...Object.values(g.if2_stat)]) {
        if (s.port_usage === 'wan' && s.wan_name && s.wan_type) names.set(`${g.mac}|${s.port_id}`, s.wan_name);
      }
    }
    const missing = ports.records.filter((p) => !names.has(`${p.mac}|${p.port_id}`));
    expect(missing).toEqual([]);
    expect(names.size).toBe(ports.records.length);
  });

  it('walks in smaller pages and resumes mid-walk from a cursor without re-fetching', async () => {
    const small = { ...listSites(t.orgId), limit: 70 };
    const full = await walk(client, small);
    expect(full.pages.map((p) => p.records.length)).toEqual([70, 70, 70, 70, 20]);
    await t.admin('DELETE', '/__sim/calls');
    const resumed: string[] = [];
    for await (const p of client.pages(small, { from: full.pages[2]!.cursor! })) resumed.push(...p.records.map((s) => s.id));
    expect(resumed).toEqual(full.records.slice(210).map((s) => s.id));
    expect((await simCalls(t)).total).toBe(2);

    const portsSmall = { ...searchGatewayPorts(t.orgId), limit: 400 };
    const ports = await walk(client, portsSmall);
    const cursor = ports.pages[1]!.cursor!;
    expect(cursor).toEqual({ next: expect.stringMatching(/^\/api\/v1\/orgs\/.*search_after=/) });
    const rest: string[] = [];
    for await (const p of client.pages(portsSmall, { from: cursor })) rest.push(...p.records.map((r) => `${r.mac}|${r.port_id}`));
    const allKeys = ports.records.map((r) => `${r.mac}|${r.port_id}`);
    const firstTwo = [...ports.pages[0]!.records, ...ports.pages[1]!.records].length;
    expect(rest).toEqual(allKeys.slice(firstTwo));
  });

  it('counts each collection with one limit=1 call', async () => {
    await t.admin('DELETE', '/__sim/calls');
    await expect(client.count(listSites(t.orgId))).resolves.toBe(counts.sites);
    await expect(client.count(listGatewayStats(t.orgId))).resolves.toBe(counts.gateways);
    await expect(client.count(searchGatewayPorts(t.orgId))).resolves.toBe(counts.wan_ports + counts.lan_ports);
    expect((await simCalls(t)).total).toBe(3);
  });

  it('a wrong org id is E_MIST_FORBIDDEN, not retried', async () => {
    await t.admin('DELETE', '/__sim/calls');
    await expect(client.getOne(getOrg('00000000-0000-0000-0000-000000000000'))).rejects.toMatchObject({ code: 'E_MIST_FORBIDDEN', status: 403 });
    expect((await simCalls(t)).total).toBe(1);
  });

  it('never logs or reports the token', () => {
    expect(c.logs.lines.length).toBeGreaterThan(0);
    expect(c.logs.text()).not.toContain(t.token);
    expect(JSON.stringify(client.usage())).not.toContain(t.token);
  });
});
