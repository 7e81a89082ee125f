import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSim, type TestSim } from '../support/sim-server.js';
import {
  FORM_A, MAX_LIMIT, expectedIds, getJson, uniqueKeys, walkFormA, walkFormC, type InsightsBody,
} from '../support/sim-walk.js';

/**
 * Pagination forms A (sites, sitegroups, inventory, stats/devices: page/limit with X-Page-* headers) and C
 * (insights/sites-sle: page/limit/total in the body): a walk at any limit returns the org's whole collection,
 * each row once, in a stable order, and ends by the documented rule. Form B is in sim-pagination-search.test.ts,
 * the 3,208-site org in sim-pagination-full-org.test.ts.
 */

const CASES: [number, number[]][] = [[7, [1, 7, 100]], [300, [7, 100, 1000, 1500]]];

describe.each(CASES)('with %i sites', (siteCount, limits) => {
  let t: TestSim;
  let org: string;

  beforeAll(async () => {
    t = await startTestSim({ sites: siteCount });
    org = `/api/v1/orgs/${t.orgId}`;
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(FORM_A)(`walks %s at limits ${limits.join(', ')}: every row once, in org order, then an empty page`, async (collection) => {
    const expected = expectedIds(t, collection);
    for (const limit of limits) {
      const { pages, rows } = await walkFormA(t, `${org}/${collection}`, limit);
      expect(uniqueKeys(rows, (r) => String(r.id)), `limit=${limit}`).toEqual(expected);
      expect(pages[0]!.total).toBe(expected.length);
      expect(pages).toHaveLength(Math.max(1, Math.ceil(expected.length / Math.min(limit, MAX_LIMIT))));
    }
  });

  it('filters inventory and stats/devices before paging: totals count only the matching gateways', async () => {
    const gw = t.sim.org.gateways[siteCount - 1]!;
    const site = t.sim.org.sites[gw.siteIndex]!;
    for (const path of [`${org}/inventory?site_id=${site.id}`, `${org}/stats/devices?type=gateway&mac=${gw.mac}`]) {
      const { pages, rows } = await walkFormA(t, path, 1);
      expect(pages[0]!.total).toBe(1);
      expect(rows.map((r) => r.id)).toEqual([gw.id]);
    }
    const { pages } = await walkFormA(t, `${org}/inventory?type=switch`, 7);
    expect([pages[0]!.total, pages[0]!.rows]).toEqual([0, []]);
  });

  it(`walks insights/sites-sle?sle=wan at limits ${limits.join(', ')}: every site once, in org order`, async () => {
    const expected = t.sim.org.sites.map((s) => s.id);
    for (const limit of limits) {
      const { pages, rows } = await walkFormC(t, `${org}/insights/sites-sle?sle=wan`, limit);
      expect(uniqueKeys(rows, (r) => String(r.site_id)), `limit=${limit}`).toEqual(expected);
      expect(pages[0]!.total).toBe(siteCount);
      expect(pages).toHaveLength(Math.ceil(siteCount / Math.min(limit, MAX_LIMIT)));
      const past = await getJson<InsightsBody>(t, `${org}/insights/sites-sle?sle=wan&limit=${limit}&page=${pages.length + 1}`);
      expect([past.total, past.results]).toEqual([siteCount, []]);
    }
  });
});
