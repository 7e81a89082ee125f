import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSim, type TestSim } from '../support/sim-server.js';
import {
  FORM_A, FORM_B, expectSpecValid, firstMiddleLast, forceIncidents, formAPage, getJson, walkFormA, walkFormB, walkFormC,
  withQuery, type InsightsBody, type Row, type SearchBody,
} from '../support/sim-walk.js';

/**
 * Every org-level endpoint the simulator serves, fetched over HTTP and validated against the Mist OpenAPI spec
 * (with the documented live deviations), on the first, middle and last page, for orgs of 1, 7 and 300 sites.
 * Then the Mist shapes the spec cannot express. The site SLE endpoints are in sim-openapi-sle.test.ts, error
 * bodies in sim-openapi-errors.test.ts and the 3,208-site org in sim-openapi-full-org.test.ts.
 */

const SLES = ['gateway-health', 'wan-link-health', 'application-health'] as const;

describe.each([1, 7, 300])('with %i sites', (siteCount) => {
  let t: TestSim;
  let org: string;

  beforeAll(async () => {
    t = await startTestSim({ sites: siteCount });
    org = `/api/v1/orgs/${t.orgId}`;
    await forceIncidents(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves /self, /self/usage and the org as the spec describes them', async () => {
    for (const path of ['/api/v1/self', '/api/v1/self/usage', org]) expectSpecValid(path, 200, await getJson(t, path));
  });

  it.each(FORM_A)('serves spec-valid first, middle, last and past-the-end pages of %s', async (collection) => {
    const path = `${org}/${collection}`;
    const { total } = await formAPage(t, path, 1, 1);
    expect(total).toBeGreaterThan(0);
    const limit = Math.max(1, Math.floor(total / 3));
    const pages = Math.ceil(total / limit);
    for (const page of [...firstMiddleLast(pages), pages + 1]) {
      const { rows } = await formAPage(t, path, limit, page);
      expect(rows.length > 0).toBe(page <= pages);
      expectSpecValid(path, 200, rows);
    }
  });

  it('answers stats/devices without type=gateway with a spec-valid empty list (Mist defaults to type=ap)', async () => {
    const path = `${org}/stats/devices`;
    const rows = await getJson<Row[]>(t, path);
    expect(rows).toEqual([]);
    expectSpecValid(path, 200, rows);
  });

  it.each(FORM_B)('serves spec-valid first, middle and last pages of %s', async (search) => {
    const path = `${org}/${search}`;
    const { total } = await getJson<SearchBody>(t, withQuery(path, 'limit=1'));
    // A one-site org has no hubs, hence no VPN peer paths; everything else has rows (incidents were forced).
    if (search.startsWith('stats/vpn_peers') && siteCount === 1) expect(total).toBe(0);
    else expect(total).toBeGreaterThan(0);
    const { pages } = await walkFormB(t, withQuery(path, `limit=${Math.max(1, Math.ceil(total / 3))}`));
    for (const n of firstMiddleLast(pages.length)) expectSpecValid(path, 200, pages[n - 1]);
  });

  it('serves spec-valid first, middle and last pages of insights/sites-sle?sle=wan', async () => {
    const path = `${org}/insights/sites-sle?sle=wan`;
    const limit = Math.max(1, Math.floor(siteCount / 3));
    const pages = Math.ceil(siteCount / limit);
    for (const page of firstMiddleLast(pages)) {
      const body = await getJson<InsightsBody>(t, `${path}&limit=${limit}&page=${page}`);
      expect(body.total).toBe(siteCount);
      expect(body.results.length).toBeGreaterThan(0);
      expectSpecValid(path, 200, body);
    }
  });

  it.each(SLES)('serves spec-valid insights/worst-sites-by-sle?sle=%s, worst first', async (sle) => {
    const path = `${org}/insights/worst-sites-by-sle?sle=${sle}`;
    const body = await getJson<{ results: Row[] }>(t, path);
    expect(body.results.length).toBe(Math.min(10, siteCount));
    const scores = body.results.map((r) => Number(r[sle]));
    expect(scores).toEqual([...scores].sort((a, b) => a - b));
    expectSpecValid(path, 200, body);
  });

  it('marks gateway WAN ports port_usage "wan" and LAN ports "lan" in ports search', async () => {
    const { org: o } = t.sim;
    const wan = new Set(o.wanPorts.map((p) => `${o.gateways[p.gatewayIndex]!.mac}|${p.portId}`));
    const lan = new Set(o.gateways.flatMap((g) => g.lanPorts.map((l) => `${g.mac}|${l.portId}`)));
    const { rows } = await walkFormB(t, `${org}/stats/ports/search?device_type=gateway&limit=1000`);
    expect(rows.length).toBe(wan.size + lan.size);
    for (const r of rows) {
      const key = `${String(r.mac)}|${String(r.port_id)}`;
      expect(r.port_usage, key).toBe(wan.has(key) ? 'wan' : lan.has(key) ? 'lan' : 'not a port of the org');
    }
  });

  it('lists every WAN port in stats/devices if_stat with wan_name and wan_type, and the LAN ports too', async () => {
    const { org: o } = t.sim;
    const { rows } = await walkFormA(t, `${org}/stats/devices?type=gateway`, 1000);
    expect(rows.map((r) => r.id)).toEqual(o.gateways.map((g) => g.id));
    for (const row of rows) {
      const gw = o.gatewayById.get(String(row.id))!;
      const entries = [row.if_stat, row.if2_stat].flatMap((s) => Object.values((s ?? {}) as Record<string, Row>));
      for (const port of gw.wanPortIndexes.map((i) => o.wanPorts[i]!)) {
        const found = entries.filter((e) => e.port_id === port.portId && e.port_usage === 'wan');
        expect(found.map((e) => [e.wan_name, e.wan_type]), `${gw.name} ${port.portId}`).toEqual([[port.wanName, port.wanType]]);
      }
      for (const lanPort of gw.lanPorts) {
        expect(entries.filter((e) => e.port_id === lanPort.portId && e.port_usage === 'lan'), `${gw.name} ${lanPort.portId}`).toHaveLength(1);
      }
      expect(entries).toHaveLength(gw.wanPortIndexes.length + gw.lanPorts.length);
    }
  });

  it('keys sites-sle rows by the live "application-health" (hyphen), one row per site, scores in [0, 1]', async () => {
    const { rows } = await walkFormC(t, `${org}/insights/sites-sle?sle=wan`, 1000);
    expect(rows.map((r) => r.site_id)).toEqual(t.sim.org.sites.map((s) => s.id));
    for (const row of rows) {
      expect(row).not.toHaveProperty('application_health');
      for (const sle of SLES) {
        expect(row[sle], `${String(row.site_id)} ${sle}`).toBeGreaterThanOrEqual(0);
        expect(row[sle], `${String(row.site_id)} ${sle}`).toBeLessThanOrEqual(1);
      }
    }
    // The forced outage on the last site must show as a degraded score.
    expect(rows.at(-1)!['gateway-health']).toBeLessThan(1);
  });
});
