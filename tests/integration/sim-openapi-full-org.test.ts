import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSim, type TestSim } from '../support/sim-server.js';
import {
  FORM_A, FORM_B, MAX_LIMIT, expectSpecValid, firstMiddleLast, forceIncidents, formAPage, getJson, walkFormB, withQuery,
  type InsightsBody,
} from '../support/sim-walk.js';

/** The paged collections of the full-size (3,208-site) org validate against the Mist OpenAPI spec at limit=1000. */
describe('the 3,208-site org', () => {
  let t: TestSim;
  let org: string;

  beforeAll(async () => {
    t = await startTestSim({ sites: 3208 });
    org = `/api/v1/orgs/${t.orgId}`;
    await forceIncidents(t, 900);
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(FORM_A)('serves spec-valid first, middle and last 1,000-row pages of %s', async (collection) => {
    const path = `${org}/${collection}`;
    const { total } = await formAPage(t, path, MAX_LIMIT, 1);
    expect(total).toBe(collection === 'sitegroups' ? t.sim.org.sitegroups.length : 3208);
    for (const page of firstMiddleLast(Math.ceil(total / MAX_LIMIT))) {
      const { rows } = await formAPage(t, path, MAX_LIMIT, page);
      expect(rows.length).toBeGreaterThan(0);
      expectSpecValid(path, 200, rows);
    }
  });

  it.each(FORM_B)('serves spec-valid first, middle and last 1,000-row pages of %s', async (search) => {
    const path = `${org}/${search}`;
    const { pages } = await walkFormB(t, withQuery(path, `limit=${MAX_LIMIT}`));
    expect(pages[0]!.results.length).toBeGreaterThan(0);
    for (const n of firstMiddleLast(pages.length)) expectSpecValid(path, 200, pages[n - 1]);
  });

  it('serves spec-valid first, middle and last 1,000-row pages of insights/sites-sle?sle=wan', async () => {
    const path = `${org}/insights/sites-sle?sle=wan`;
    for (const page of firstMiddleLast(Math.ceil(3208 / MAX_LIMIT))) {
      const body = await getJson<InsightsBody>(t, `${path}&limit=${MAX_LIMIT}&page=${page}`);
      expect([body.total, body.results.length]).toEqual([3208, page === 4 ? 208 : MAX_LIMIT]);
      expectSpecValid(path, 200, body);
    }
  });
});
