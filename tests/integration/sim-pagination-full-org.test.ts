import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSim, type TestSim } from '../support/sim-server.js';
import {
  FORM_A, MAX_LIMIT, expectedIds, uniqueKeys, walkFormA, walkFormB, walkFormC, type SearchBody,
} from '../support/sim-walk.js';

/**
 * Pagination over the full-size (3,208-site) org, where Mist's 1,000-row cap matters: every port, peer path,
 * site and gateway exactly once. Also prints (does not assert) how long one 1,000-row ports page takes.
 */
describe('the 3,208-site org', () => {
  let t: TestSim;
  let org: string;
  let wanKeys: string[];
  let lanKeys: string[];

  beforeAll(async () => {
    t = await startTestSim({ sites: 3208 });
    org = `/api/v1/orgs/${t.orgId}`;
    const o = t.sim.org;
    wanKeys = o.wanPorts.map((p) => `${o.gateways[p.gatewayIndex]!.mac}|${p.portId}`);
    lanKeys = o.gateways.flatMap((g) => g.lanPorts.map((l) => `${g.mac}|${l.portId}`));
  });
  afterAll(async () => {
    await t.close();
  });

  const portKey = (r: Record<string, unknown>): string => `${String(r.mac)}|${String(r.port_id)}`;
  /** One limit=1000 walk of the gateway ports, shared by the two tests that inspect it. */
  let portsWalk: ReturnType<typeof walkFormB> | undefined;
  const walkPorts = (): ReturnType<typeof walkFormB> =>
    (portsWalk ??= walkFormB(t, `${org}/stats/ports/search?device_type=gateway&limit=1000`));

  it('returns every WAN and LAN port exactly once in a limit=1000 walk of ports search', async () => {
    const { pages, rows } = await walkPorts();
    expect(pages).toHaveLength(Math.ceil((wanKeys.length + lanKeys.length) / MAX_LIMIT));
    const keys = uniqueKeys(rows, portKey);
    expect(keys).toHaveLength(wanKeys.length + lanKeys.length);
    expect(new Set(keys)).toEqual(new Set([...wanKeys, ...lanKeys]));
  });

  it('yields exactly the org\'s WAN ports when the walk is filtered to port_usage "wan"', async () => {
    const { rows } = await walkPorts();
    const wan = rows.filter((r) => r.port_usage === 'wan');
    expect(wan).toHaveLength(t.sim.org.wanPorts.length);
    expect(new Set(wan.map(portKey))).toEqual(new Set(wanKeys));
  });

  it('caps a ports or vpn_peers limit above 1000 at 1000 and still walks the whole collection once', async () => {
    const ports = await walkFormB(t, `${org}/stats/ports/search?limit=2500`);
    expect(ports.pages.map((p) => p.limit)).toEqual(ports.pages.map(() => MAX_LIMIT));
    expect(uniqueKeys(ports.rows, portKey)).toHaveLength(wanKeys.length + lanKeys.length);
    const peers = await walkFormB(t, `${org}/stats/vpn_peers/search?limit=5000`);
    expect(peers.pages[0]!.limit).toBe(MAX_LIMIT);
    expect(peers.pages).toHaveLength(Math.ceil(t.sim.org.peerPaths.length / MAX_LIMIT));
    const peerKey = (r: Record<string, unknown>): string => [r.mac, r.port_id, r.peer_mac, r.peer_port_id].map(String).join('|');
    expect(uniqueKeys(peers.rows, peerKey)).toHaveLength(t.sim.org.peerPaths.length);
  });

  it.each(FORM_A)('walks %s at limits 100, 1000 and 5000 (capped to 1000): every row once, in org order', async (collection) => {
    const expected = expectedIds(t, collection);
    for (const limit of [100, 1000, 5000]) {
      const { pages, rows } = await walkFormA(t, `${org}/${collection}`, limit);
      expect(pages[0]!.limit).toBe(Math.min(limit, MAX_LIMIT));
      expect(pages).toHaveLength(Math.ceil(expected.length / Math.min(limit, MAX_LIMIT)));
      expect(uniqueKeys(rows, (r) => String(r.id)), `limit=${limit}`).toEqual(expected);
    }
  });

  it('walks insights/sites-sle at limits 1000 and 5000 (capped to 1000): every site once, in org order', async () => {
    for (const limit of [1000, 5000]) {
      const { pages, rows } = await walkFormC(t, `${org}/insights/sites-sle?sle=wan`, limit);
      expect(pages).toHaveLength(4);
      expect(uniqueKeys(rows, (r) => String(r.site_id))).toEqual(t.sim.org.sites.map((s) => s.id));
    }
  });

  it('measures the time to fetch one 1,000-row ports page (printed, not asserted)', async () => {
    const first = `${org}/stats/ports/search?device_type=gateway&limit=1000`;
    const { next } = (await t.get(first)).json<SearchBody>();
    expect(next).toBeDefined();
    const median = async (path: string): Promise<number> => {
      const ms: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        const r = await t.get(path);
        expect(r.json<SearchBody>().results).toHaveLength(MAX_LIMIT);
        ms.push(performance.now() - t0);
      }
      return ms.sort((a, b) => a - b)[2]!;
    };
    const [firstMs, nextMs] = [await median(first), await median(next!)];
    console.log(`ports search, 3,208 sites, 1,000-row page (median of 5): first page ${firstMs.toFixed(1)} ms, ` +
      `a search_after page ${nextMs.toFixed(1)} ms`);
  });
});
