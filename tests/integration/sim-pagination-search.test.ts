import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSim, type TestSim } from '../support/sim-server.js';
import {
  FORM_B, MAX_LIMIT, forceIncidents, getJson, uniqueKeys, walkFormB, withQuery, type Row, type SearchBody,
} from '../support/sim-walk.js';

/**
 * Pagination form B (ports, vpn_peers, alarms, device events): following `next` from the first page returns the
 * whole collection, each row once, in sort order, whatever the limit; sort=-timestamp walks backwards; and a
 * walk's window stays pinned while simulated time moves on between pages.
 */

type Search = (typeof FORM_B)[number];
const EVENTS = 'devices/events/search?device_type=gateway';

const str = (v: unknown): string => (v === undefined ? '' : String(v));
const KEY: Record<Search, (r: Row) => string> = {
  'stats/ports/search?device_type=gateway': (r) => `${str(r.mac)}|${str(r.port_id)}`,
  'stats/ports/search': (r) => `${str(r.mac)}|${str(r.port_id)}`,
  'stats/vpn_peers/search': (r) => `${str(r.mac)}|${str(r.port_id)}|${str(r.peer_mac)}|${str(r.peer_port_id)}`,
  'alarms/search': (r) => str(r.id),
  [EVENTS]: (r) => [r.timestamp, r.mac, r.type, r.port_id, r.text].map(str).join('|'),
};

/** The keys the simulator's org and engine say a walk of `search` over [start, end) must return, in order. */
function expectedKeys(t: TestSim, search: Search, start: number, end: number): string[] {
  const { org, engine } = t.sim;
  const mac = (gatewayIndex: number): string => org.gateways[gatewayIndex]!.mac;
  switch (search) {
    case 'stats/ports/search?device_type=gateway':
    case 'stats/ports/search':
      return org.gateways.flatMap((g) => [...g.wanPortIndexes.map((i) => org.wanPorts[i]!.portId), ...g.lanPorts.map((l) => l.portId)]
        .sort().map((p) => `${g.mac}|${p}`));
    case 'stats/vpn_peers/search':
      return org.peerPaths.map((p) => {
        const [spoke, hub] = [org.wanPorts[p.wanPortIndex]!, org.wanPorts[p.hubPortIndex]!];
        const name = (port: typeof spoke): string => (p.pathType === 'svr' ? port.wanName : port.portId);
        return `${mac(spoke.gatewayIndex)}|${name(spoke)}|${mac(hub.gatewayIndex)}|${name(hub)}`;
      });
    case 'alarms/search':
      return engine.ctx.alarms.overlapping(start, end).map((a) => a.id);
    case EVENTS:
      return engine.ctx.events.range(start, end)
        .map((e) => [e.timestamp, mac(e.gatewayIndex), e.type, e.portId, e.text].map(str).join('|'));
  }
}

const CASES: [number, number[]][] = [[7, [1, 7, 100]], [300, [7, 100, 1000, 1500]]];

describe.each(CASES)('with %i sites', (siteCount, limits) => {
  let t: TestSim;
  let org: string;

  beforeAll(async () => {
    t = await startTestSim({ sites: siteCount });
    org = `/api/v1/orgs/${t.orgId}`;
    await forceIncidents(t, 2 * 3600);
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(FORM_B)(`walks %s by next at limits ${limits.join(', ')}: every row once, in sort order`, async (search) => {
    for (const limit of limits) {
      const { pages, rows } = await walkFormB(t, withQuery(`${org}/${search}`, `limit=${limit}`));
      expect(pages[0]!.limit).toBe(Math.min(limit, MAX_LIMIT));
      const keys = uniqueKeys(rows, KEY[search]);
      expect(keys.length, `${search} has rows`).toBeGreaterThan(0);
      expect(keys, `limit=${limit}`).toEqual(expectedKeys(t, search, pages[0]!.start, pages[0]!.end));
    }
  });

  it.each(['alarms/search', EVENTS] as const)('walks %s with sort=-timestamp newest first: the ascending walk reversed', async (search) => {
    const path = `${org}/${search}`;
    const { start, end } = await getJson<SearchBody>(t, withQuery(path, 'limit=1'));
    const window = `start=${start}&end=${end}`;
    const ascending = (await walkFormB(t, withQuery(path, `${window}&limit=1000`))).rows.map(KEY[search]);
    for (const limit of limits) {
      const { rows } = await walkFormB(t, withQuery(path, `${window}&sort=-timestamp&limit=${limit}`));
      const stamps = rows.map((r) => Number(r.timestamp));
      expect(stamps, `limit=${limit}`).toEqual([...stamps].sort((a, b) => b - a));
      expect(rows.map(KEY[search]), `limit=${limit}`).toEqual([...ascending].reverse());
    }
  });

  it('applies search filters before paging: total and next cover only the matching rows', async () => {
    const gw = t.sim.org.gateways[siteCount - 1]!;
    const ports = await walkFormB(t, `${org}/stats/ports/search?device_type=gateway&mac=${gw.mac}&limit=1`);
    expect(ports.rows.map((r) => r.port_id).sort()).toEqual([...gw.wanPortIndexes.map((i) => t.sim.org.wanPorts[i]!.portId),
      ...gw.lanPorts.map((l) => l.portId)].sort());
    const down = await walkFormB(t, `${org}/${EVENTS}&type=GW_PORT_DOWN&limit=2`);
    expect(down.rows.length).toBeGreaterThan(0);
    expect(new Set(down.rows.map((r) => r.type))).toEqual(new Set(['GW_PORT_DOWN']));
  });

  it.each(['alarms/search', EVENTS] as const)('keeps the %s walk pinned while simulated time advances between pages', async (search) => {
    const path = `${org}/${search}`;
    const sites = t.sim.org.sites;
    const { total } = await getJson<SearchBody>(t, withQuery(path, 'limit=1'));
    const limit = Math.max(1, Math.ceil(total / 6));
    let k = 0;
    const walk = await walkFormB(t, withQuery(path, `limit=${limit}`), async () => {
      // Outages after the walk began: new alarms and events whose timestamps are past the pinned end.
      const site = sites[(k++ * 37) % sites.length]!;
      expect((await t.admin('POST', '/__sim/incidents', { kind: 'outage', site_id: site.id, duration_seconds: 600 })).status).toBe(201);
      expect((await t.admin('POST', '/__sim/advance', { seconds: 300 })).status).toBe(200);
    });
    expect(walk.pages.length).toBeGreaterThan(2);
    const { start, end } = walk.pages[0]!;
    const newer = await getJson<SearchBody>(t, withQuery(path, `start=${end}&limit=1000`));
    expect(newer.results.filter((r) => Number(r.timestamp) >= end).length, 'rows created during the walk').toBeGreaterThan(0);
    for (const r of walk.rows) expect(Number(r.timestamp)).toBeLessThan(end);
    const again = await walkFormB(t, withQuery(path, `start=${start}&end=${end}&limit=1000`));
    expect(uniqueKeys(walk.rows, KEY[search])).toEqual(again.rows.map(KEY[search]));
  });
});

describe('a simulator serving alarm and event searches back 60 minutes (--search-history-minutes)', () => {
  let t: TestSim;
  let org: string;

  beforeAll(async () => {
    t = await startTestSim({ sites: 30, searchHistoryMinutes: 60 });
    org = `/api/v1/orgs/${t.orgId}`;
    await forceIncidents(t, 3 * 3600);
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(['alarms/search', EVENTS] as const)('moves an older start of %s up to now - 60 min, echoes it, and returns only that window', async (search) => {
    const end = Math.floor(t.sim.engine.now);
    const asked = end - 3 * 3600;
    const { pages, rows } = await walkFormB(t, withQuery(`${org}/${search}`, `start=${asked}&end=${end}&limit=1000`));
    expect([pages[0]!.start, pages[0]!.end]).toEqual([end - 3600, end]);
    expect(rows.map(KEY[search])).toEqual(expectedKeys(t, search, end - 3600, end));
    // Something was there before the served start (so the limit hid it).
    expect(expectedKeys(t, search, asked, end).length).toBeGreaterThan(rows.length);
  });

  it('leaves other searches\' windows alone', async () => {
    const end = Math.floor(t.sim.engine.now);
    const body = await getJson<SearchBody>(t, `${org}/stats/ports/search?device_type=gateway&start=${end - 3 * 3600}&end=${end}&limit=1`);
    expect(body.start).toBe(end - 3 * 3600);
  });
});
