import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimSite } from '../../src/sim/model/types.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';
import { expectSpecValid, forceIncidents, getJson, type Row } from '../support/sim-walk.js';

/**
 * The per-site SLE endpoints and gateway insight stats, fetched over HTTP and validated against the Mist OpenAPI
 * spec (plus the local 2606 schemas for summary-trend and gateway stats), for both scopes, all three WAN metrics,
 * on a hub and on sites with forced incidents, in orgs of 1, 7 and 300 sites.
 */

const METRICS = ['gateway-health', 'wan-link-health', 'application-health'] as const;
const BOTH_SCOPES = ['summary-trend', 'summary', 'histogram', 'threshold', 'impacted-interfaces', 'classifiers'] as const;
const GATEWAY_METRICS = 'rx_bps,tx_bps,max_rx_bps,max_tx_bps';

interface Impacted { total_count: number; gateways?: Row[]; interfaces?: Row[] }

describe.each([1, 7, 300])('with %i sites', (siteCount) => {
  let t: TestSim;
  /** Site 0 (a hub when the org has hubs) and the sites forceIncidents hit: outage, flap, congestion. */
  let sites: SimSite[];

  beforeAll(async () => {
    t = await startTestSim({ sites: siteCount });
    await forceIncidents(t);
    const all = t.sim.org.sites;
    sites = [...new Set([0, all.length - 1, all.length - 2, all.length - 4].map((i) => all[Math.max(0, i)]!))];
  });
  afterAll(async () => {
    await t.close();
  });

  const scopesOf = (site: SimSite): { scope: string; base: string }[] => {
    const gw = t.sim.org.gateways[site.gatewayIndex]!;
    return [
      { scope: 'site', base: `/api/v1/sites/${site.id}/sle/site/${site.id}` },
      { scope: 'gateway', base: `/api/v1/sites/${site.id}/sle/gateway/${gw.id}` },
    ];
  };

  it('serves spec-valid SLE metric lists for the site and gateway scopes', async () => {
    for (const site of sites) {
      for (const { base } of scopesOf(site)) {
        const body = await getJson<{ enabled: string[] }>(t, `${base}/metrics`);
        expect(body.enabled).toEqual([...METRICS]);
        expectSpecValid(`${base}/metrics`, 200, body);
      }
    }
  });

  it.each(METRICS)('serves spec-valid summary-trend, summary, histogram, threshold, impacted-* and classifiers for %s', async (metric) => {
    for (const site of sites) {
      for (const { scope, base } of scopesOf(site)) {
        for (const endpoint of BOTH_SCOPES) {
          const path = `${base}/metric/${metric}/${endpoint}`;
          expectSpecValid(path, 200, await getJson(t, path));
        }
        const gateways = `${base}/metric/${metric}/impacted-gateways`;
        // impacted-gateways exists for the site scope only (spec: scope enum [site]).
        expectSpecValid(gateways, scope === 'site' ? 200 : 400, await getJson(t, gateways, scope === 'site' ? 200 : 400));
      }
    }
  });

  it('has samples in the summary-trend and impacted rows where incidents were forced', async () => {
    const outage = sites[1] ?? sites[0]!;
    const trend = await getJson<{ sle: { samples: { total: number[]; degraded: number[] } } }>(
      t, `/api/v1/sites/${outage.id}/sle/site/${outage.id}/metric/gateway-health/summary-trend`);
    expect(trend.sle.samples.total.length).toBeGreaterThan(0);
    expect(trend.sle.samples.degraded.some((d) => d > 0)).toBe(true);
    let gateways = 0;
    let interfaces = 0;
    for (const site of sites) {
      for (const metric of METRICS) {
        const base = `/api/v1/sites/${site.id}/sle/site/${site.id}/metric/${metric}`;
        gateways += (await getJson<Impacted>(t, `${base}/impacted-gateways`)).gateways!.length;
        const body = await getJson<Impacted>(t, `${base}/impacted-interfaces`);
        expect(body.total_count).toBe(body.interfaces!.length);
        interfaces += body.interfaces!.length;
      }
    }
    expect(gateways).toBeGreaterThan(0);
    expect(interfaces).toBeGreaterThan(0);
  });

  it('serves spec-valid gateway insight stats, for the whole gateway and per WAN port', async () => {
    for (const site of sites) {
      const gw = t.sim.org.gateways[site.gatewayIndex]!;
      const base = `/api/v1/sites/${site.id}/insights/gateway/${gw.id}/stats?metrics=${GATEWAY_METRICS}`;
      const ports = gw.wanPortIndexes.map((i) => t.sim.org.wanPorts[i]!.portId);
      for (const path of [base, ...ports.map((p) => `${base}&port_id=${encodeURIComponent(p)}`)]) {
        const body = await getJson<Record<string, unknown[]>>(t, path);
        for (const m of GATEWAY_METRICS.split(',')) {
          expect(body[m], `${path} ${m}`).toHaveLength(body.results!.length);
          expect(body[m]!.some((v) => typeof v === 'number'), `${path} ${m} has values`).toBe(true);
        }
        expectSpecValid(path, 200, body);
      }
    }
  });
});
