import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSim, type TestSim } from '../support/sim-server.js';
import { expectSpecValid } from '../support/sim-walk.js';

/**
 * Error bodies of every Mist endpoint the simulator serves validate against the spec's schema for their status:
 * 401 (no token, unknown token), 403 (another org or site), 404 (unknown metric, scope or device), 429.
 */

const OTHER_ID = '9d2c0b5e-7a41-4b8e-9c3f-5e6d7a8b9c0d';

/** One concrete URL per simulator endpoint (site-scoped ones on `siteId`, org-scoped ones on `orgId`). */
function endpoints(t: TestSim, orgId: string, siteId: string): string[] {
  const site = t.sim.site(siteId) ?? t.sim.org.sites[0]!;
  const gw = t.sim.org.gateways[site.gatewayIndex]!;
  const o = `/api/v1/orgs/${orgId}`;
  const sle = `/api/v1/sites/${siteId}/sle/site/${siteId}`;
  return [
    o, `${o}/sites`, `${o}/sitegroups`, `${o}/inventory`, `${o}/stats/devices?type=gateway`, `${o}/stats/devices`,
    `${o}/stats/ports/search?device_type=gateway`, `${o}/stats/vpn_peers/search`, `${o}/insights/sites-sle?sle=wan`,
    `${o}/insights/worst-sites-by-sle?sle=wan-link-health`, `${o}/alarms/search`, `${o}/devices/events/search?device_type=gateway`,
    `${sle}/metrics`,
    ...['summary-trend', 'summary', 'histogram', 'threshold', 'impacted-gateways', 'impacted-interfaces', 'classifiers']
      .map((e) => `${sle}/metric/wan-link-health/${e}`),
    `/api/v1/sites/${siteId}/insights/gateway/${gw.id}/stats?metrics=rx_bps,tx_bps`,
  ];
}

async function expectErrorBodies(t: TestSim, paths: string[], status: number, token?: string | null): Promise<void> {
  for (const path of paths) {
    const r = await t.get(path, token === undefined ? {} : { token });
    expect(r.status, `GET ${path}: ${r.text}`).toBe(status);
    expectSpecValid(path, status, r.json());
  }
}

describe('error bodies', () => {
  let t: TestSim;
  let org: string;
  let site: string;

  beforeAll(async () => {
    t = await startTestSim({ sites: 7 });
    org = `/api/v1/orgs/${t.orgId}`;
    site = t.sim.org.sites[3]!.id;
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers a spec-valid 401 on every endpoint when no token is sent', async () => {
    await expectErrorBodies(t, ['/api/v1/self', '/api/v1/self/usage', ...endpoints(t, t.orgId, site)], 401, null);
  });

  it('answers a spec-valid 401 on every endpoint for an unknown token', async () => {
    await expectErrorBodies(t, ['/api/v1/self', '/api/v1/self/usage', ...endpoints(t, t.orgId, site)], 401, 'not-a-token-of-this-org');
  });

  it('answers a spec-valid 403 on every endpoint for another org id or a site outside the org', async () => {
    await expectErrorBodies(t, endpoints(t, OTHER_ID, OTHER_ID), 403);
  });

  it('answers a spec-valid 404 {id} for an unknown SLE metric, a mismatched scope id and an unknown gateway', async () => {
    const gw = t.sim.org.gateways[t.sim.site(site)!.gatewayIndex]!;
    const paths = [
      `/api/v1/sites/${site}/sle/site/${site}/metric/no-such-metric/summary-trend`,
      `/api/v1/sites/${site}/sle/site/${site}/metric/no-such-metric/threshold`,
      `/api/v1/sites/${site}/sle/site/${OTHER_ID}/metrics`,
      `/api/v1/sites/${site}/sle/gateway/${OTHER_ID}/metric/wan-link-health/histogram`,
      `/api/v1/sites/${site}/insights/gateway/${OTHER_ID}/stats?metrics=rx_bps`,
      `${org}/insights/no-such-insight`,
    ];
    await expectErrorBodies(t, paths, 404);
    const r = await t.get(`/api/v1/sites/${site}/sle/gateway/${OTHER_ID}/metrics`);
    expect(r.json()).toEqual({ id: OTHER_ID });
    // A gateway of another site is not found under this one either.
    const elsewhere = t.sim.org.sites[4]!;
    expect((await t.get(`/api/v1/sites/${elsewhere.id}/insights/gateway/${gw.id}/stats?metrics=rx_bps`)).status).toBe(404);
  });
});

describe('429 error bodies', () => {
  it('answers a spec-valid 429 on every endpoint once the hourly budget is spent', async () => {
    const t = await startTestSim({ sites: 7, rateLimit: 3 });
    try {
      const paths = ['/api/v1/self', '/api/v1/self/usage', ...endpoints(t, t.orgId, t.sim.org.sites[3]!.id)];
      for (const path of paths.slice(0, 3)) expect((await t.get(path)).status).toBe(200);
      await expectErrorBodies(t, paths, 429);
    } finally {
      await t.close();
    }
  });
});
