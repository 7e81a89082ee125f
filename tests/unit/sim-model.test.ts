import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSimApp } from '../../src/sim/http/app.js';
import { REGION_GROUP_PREFIX, buildOrg } from '../../src/sim/model/org.js';
import type { SimOrg } from '../../src/sim/model/types.js';
import { SimOptionsSchema } from '../../src/sim/options.js';
import { Simulator } from '../../src/sim/simulator.js';
import { TEST_START } from '../support/sim-server.js';

/** Everything in the org except the lookup maps (derived from the arrays), as comparable JSON. */
function projection(org: SimOrg): string {
  const { siteById: _s, gatewayById: _g, gatewayByMac: _m, ...rest } = org;
  return JSON.stringify(rest);
}

const share = (n: number, of: number): number => n / of;

describe('org model: determinism', () => {
  it('builds the identical org from the same seed and size', () => {
    expect(projection(buildOrg('mist-wan', 500))).toBe(projection(buildOrg('mist-wan', 500)));
    expect(projection(buildOrg('another', 37))).toBe(projection(buildOrg('another', 37)));
  });

  it('builds a different org from a different seed', () => {
    const a = buildOrg('mist-wan', 200);
    const b = buildOrg('mist-wan-2', 200);
    expect(a.id).not.toBe(b.id);
    expect(a.sites.map((s) => s.id)).not.toEqual(b.sites.map((s) => s.id));
    expect(a.gateways.map((g) => g.mac)).not.toEqual(b.gateways.map((g) => g.mac));
    expect(a.wanPorts.map((p) => p.traits.peakUtil)).not.toEqual(b.wanPorts.map((p) => p.traits.peakUtil));
  });

  describe('two simulators with the same seed and start time', () => {
    // A frozen wall clock makes simulated time identical in both, so even byte counters must match.
    const servers: { url: string; orgId: string; close: () => Promise<void> }[] = [];
    const serve = async (seed: string): Promise<{ url: string; orgId: string; close: () => Promise<void> }> => {
      const sim = new Simulator(SimOptionsSchema.parse({ sites: 60, seed, startTime: TEST_START, warmupMinutes: 45 }), () => 0);
      const { app } = buildSimApp(sim);
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      const server = { url, orgId: sim.org.id, close: () => app.close() };
      servers.push(server);
      return server;
    };
    const fetchText = async (url: string): Promise<string> => {
      const res = await fetch(url, { headers: { authorization: 'Token mist-sim-demo-token' } });
      expect(res.status).toBe(200);
      return res.text();
    };
    afterAll(async () => {
      await Promise.all(servers.map((s) => s.close()));
    });

    it('serve byte-identical API responses', async () => {
      const [a, b] = [await serve('mist-wan'), await serve('mist-wan')];
      expect(a!.orgId).toBe(b!.orgId);
      const paths = [
        'sites?limit=1000', 'sitegroups', 'inventory?limit=1000', 'stats/devices?type=gateway&limit=1000',
        'stats/ports/search?limit=1000', 'stats/vpn_peers/search?limit=1000', 'insights/sites-sle?sle=wan&duration=1h',
        'alarms/search?limit=1000', 'devices/events/search?device_type=gateway&limit=1000',
      ].map((p) => `/api/v1/orgs/${a!.orgId}/${p}`);
      for (const path of [...paths, '/__sim/truth?minutes=0']) {
        const [ta, tb] = await Promise.all([fetchText(a!.url + path), fetchText(b!.url + path)]);
        expect(ta.length, path).toBeGreaterThan(10);
        expect(ta, path).toBe(tb);
      }
    });

    it('serve different sites when the seed differs', async () => {
      const [a, c] = [await serve('mist-wan'), await serve('other-seed')];
      const sa = await fetchText(`${a.url}/api/v1/orgs/${a.orgId}/sites?limit=1000`);
      const sc = await fetchText(`${c.url}/api/v1/orgs/${c.orgId}/sites?limit=1000`);
      expect(sa).not.toBe(sc);
    });
  });
});

describe.each([1, 2, 10, 500, 3208])('org model invariants with %i sites', (size) => {
  let org: SimOrg;
  beforeAll(() => {
    org = buildOrg('mist-wan', size);
  });
  const spokes = (): SimOrg['gateways'] => org.gateways.filter((g) => !org.sites[g.siteIndex]!.isHub);

  it('has one gateway per site, each on its own site', () => {
    expect(org.sites).toHaveLength(size);
    expect(org.gateways).toHaveLength(size);
    for (const site of org.sites) expect(org.gateways[site.gatewayIndex]!.siteIndex).toBe(site.index);
  });

  it('gives every spoke 2–3 WAN circuits (primary, secondary, tertiary in order) and LAN ports', () => {
    // Violations are collected and asserted once: per-item expect() calls are slow at 3,208 sites.
    const problems: string[] = [];
    for (const gw of spokes()) {
      const ports = gw.wanPortIndexes.map((p) => org.wanPorts[p]!);
      const roles = ports.map((p) => p.role).join(',');
      if (roles !== 'primary,secondary' && roles !== 'primary,secondary,tertiary') problems.push(`${gw.name}: roles ${roles}`);
      for (const p of ports) {
        if (!['broadband', 'mpls', 'lte'].includes(p.kind)) problems.push(`${gw.name}: kind ${p.kind}`);
        if (p.gatewayIndex !== gw.index || !(p.speedMbps > 0)) problems.push(`${gw.name}: port ${p.portId}`);
      }
      if (gw.lanPorts.length < 1) problems.push(`${gw.name}: no LAN port`);
      const portIds = [...ports.map((p) => p.portId), ...gw.lanPorts.map((l) => l.portId)];
      if (new Set(portIds).size !== portIds.length) problems.push(`${gw.name}: duplicate port ids ${portIds.join(',')}`);
    }
    expect(problems).toEqual([]);
  });

  it('has unique ids and MACs, and device ids derived from the MAC', () => {
    const ids = [org.id, ...org.sites.map((s) => s.id), ...org.sitegroups.map((g) => g.id), ...org.gateways.map((g) => g.id)];
    expect(new Set(ids).size).toBe(ids.length);
    const macs = [...org.gateways.map((g) => g.mac), ...org.wanPorts.map((p) => p.portMac), ...org.gateways.flatMap((g) => g.lanPorts.map((l) => l.portMac))];
    expect(new Set(macs).size).toBe(macs.length);
    for (const mac of macs) expect(mac).toMatch(/^[0-9a-f]{12}$/);
    for (const gw of org.gateways) expect(gw.id).toBe(`00000000-0000-0000-1000-${gw.mac}`);
    const serials = org.gateways.map((g) => g.serial);
    expect(new Set(serials).size).toBe(serials.length);
  });

  it('groups sites by region ("Region - …") and by format, pilot and hub', () => {
    const regionGroups = org.sitegroups.filter((g) => g.name.startsWith(REGION_GROUP_PREFIX));
    expect(regionGroups.length).toBeGreaterThanOrEqual(1);
    expect(regionGroups.length).toBeLessThanOrEqual(8);
    if (size >= 500) expect(regionGroups).toHaveLength(8);
    const groupsOf = new Map<number, string[]>();
    for (const g of org.sitegroups) for (const i of g.siteIndexes) groupsOf.set(i, [...(groupsOf.get(i) ?? []), g.id]);
    const problems: string[] = [];
    for (const site of org.sites) {
      const mine = regionGroups.filter((g) => site.sitegroupIds.includes(g.id));
      const expected = site.region === '' ? [] : [`${REGION_GROUP_PREFIX}${site.region}`];
      if (mine.map((g) => g.name).join() !== expected.join()) problems.push(`${site.name}: regions ${mine.map((g) => g.name).join()}`);
      if ([...site.sitegroupIds].sort().join() !== [...(groupsOf.get(site.index) ?? [])].sort().join()) problems.push(`${site.name}: group membership`);
    }
    expect(problems).toEqual([]);
    const others = org.sitegroups.filter((g) => !g.name.startsWith(REGION_GROUP_PREFIX)).map((g) => g.name);
    for (const name of others) expect(name).toMatch(/^(Format - |Pilot - |Hubs$)/);
    expect(others.some((n) => n.startsWith('Format - '))).toBe(true);
    if (size >= 500) expect(others).toEqual(expect.arrayContaining(['Pilot - WAN Assurance', 'Hubs']));
    const regionless = org.sites.filter((s) => s.region === '').length;
    if (size >= 3000) expect(share(regionless, size)).toBeGreaterThan(0.003);
    expect(share(regionless, size)).toBeLessThan(size >= 500 ? 0.02 : 0.5);
    for (const hub of org.sites.filter((s) => s.isHub)) expect(hub.region).not.toBe('');
  });

  it('has a few HA hub sites with both platforms, none in tiny orgs', () => {
    const hubs = org.sites.filter((s) => s.isHub).map((s) => org.gateways[s.gatewayIndex]!);
    expect(org.hubSiteIndexes).toEqual(hubs.map((h) => h.siteIndex));
    if (size < 4) expect(hubs).toHaveLength(0);
    else {
      expect(hubs.length).toBeGreaterThanOrEqual(2);
      expect(hubs.length).toBeLessThanOrEqual(Math.min(8, size / 4));
      expect(new Set(hubs.map((h) => h.platform))).toEqual(new Set(['srx', 'ssr']));
      for (const h of hubs) expect(h.isHa).toBe(true);
    }
  });

  it('mixes SRX and SSR spokes, some of them HA', () => {
    if (size < 10) return;
    const srx = spokes().filter((g) => g.platform === 'srx').length;
    const ssr = spokes().filter((g) => g.platform === 'ssr').length;
    expect(srx).toBeGreaterThan(0);
    expect(ssr).toBeGreaterThan(0);
    if (size >= 500) {
      expect(share(srx, srx + ssr)).toBeGreaterThan(0.6);
      expect(share(srx, srx + ssr)).toBeLessThan(0.8);
      const ha = spokes().filter((g) => g.isHa).length;
      expect(share(ha, srx + ssr)).toBeGreaterThan(0.02);
      expect(share(ha, srx + ssr)).toBeLessThan(0.08);
      for (const g of spokes().filter((x) => x.isHa)) expect(g.platform).toBe('srx');
    }
  });

  it('connects every spoke WAN port to a hub port of its platform (ipsec for SRX, svr for SSR)', () => {
    const hubs = new Set(org.hubSiteIndexes);
    const pathCount = new Map<number, number>();
    const problems: string[] = [];
    for (const path of org.peerPaths) {
      const spoke = org.wanPorts[path.wanPortIndex]!;
      const hub = org.wanPorts[path.hubPortIndex]!;
      const platform = org.gateways[spoke.gatewayIndex]!.platform;
      if (hubs.has(spoke.siteIndex) || !hubs.has(hub.siteIndex)) problems.push(`path ${path.index}: not spoke to hub`);
      if (org.gateways[hub.gatewayIndex]!.platform !== platform) problems.push(`path ${path.index}: crosses platforms`);
      if (path.pathType !== (platform === 'srx' ? 'ipsec' : 'svr')) problems.push(`path ${path.index}: ${path.pathType} on ${platform}`);
      pathCount.set(spoke.index, (pathCount.get(spoke.index) ?? 0) + 1);
    }
    for (const gw of spokes()) {
      const hubOfPlatform = org.hubSiteIndexes.some((h) => org.gateways[h]!.platform === gw.platform);
      for (const p of gw.wanPortIndexes) {
        if ((pathCount.get(p) ?? 0) >= 1 !== hubOfPlatform) problems.push(`${gw.name} ${org.wanPorts[p]!.portId}: ${pathCount.get(p) ?? 0} paths`);
      }
    }
    expect(problems).toEqual([]);
    if (size >= 10) expect(org.peerPaths.length).toBeGreaterThanOrEqual(spokes().reduce((n, g) => n + g.wanPortIndexes.length, 0));
  });

  it('makes about 5% of sites chronically troubled (congested, lossy or flappy primary)', () => {
    if (size < 500) return;
    const primaries = spokes().map((g) => org.wanPorts[g.wanPortIndexes[0]!]!);
    const lossy = primaries.filter((p) => p.traits.baseLossPct >= 2.5).length;
    const congested = primaries.filter((p) => p.traits.congested).length;
    const troubled = primaries.filter((p) => p.traits.congested || p.traits.flappy || p.traits.baseLossPct >= 2.5).length;
    expect(share(lossy, primaries.length)).toBeGreaterThan(0.005);
    expect(share(lossy, primaries.length)).toBeLessThan(0.04);
    expect(share(congested, primaries.length)).toBeGreaterThan(0.02);
    expect(share(congested, primaries.length)).toBeLessThan(0.09);
    expect(share(troubled, primaries.length)).toBeGreaterThan(0.04);
    expect(share(troubled, primaries.length)).toBeLessThan(0.14);
    // Demand is sized by the primary, so a congested trait anywhere else would never show.
    expect(org.wanPorts.filter((p) => p.traits.congested && p.role !== 'primary')).toEqual([]);
    // Congested primaries are sized to run at or above line rate in busy hours; others well below.
    for (const p of primaries) expect(p.traits.peakUtil >= 0.97).toBe(p.traits.congested);
    if (size === 3208) {
      console.log(`3208-site org: sites=${org.sites.length} gateways=${org.gateways.length} wan_ports=${org.wanPorts.length} ` +
        `peer_paths=${org.peerPaths.length} hubs=${org.hubSiteIndexes.length} ha=${org.gateways.filter((g) => g.isHa).length} ` +
        `congested_circuits=${org.wanPorts.filter((p) => p.traits.congested).length} lossy_primaries=${lossy} ` +
        `flappy_circuits=${org.wanPorts.filter((p) => p.traits.flappy).length} troubled_sites=${troubled} ` +
        `(${(100 * share(troubled, primaries.length)).toFixed(1)}%) regionless=${org.sites.filter((s) => s.region === '').length}`);
    }
  });
});
