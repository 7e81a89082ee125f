import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SLE_METRICS, SLE_METRIC_NAMES, type SleMetric } from '../engine/sle.js';
import type { SimSite } from '../model/types.js';
import type { Simulator } from '../simulator.js';
import { gatewayInsightsView } from '../views/gateway-insights.js';
import {
  histogramView, impactedGatewaysView, impactedInterfacesView, isSleMetric, siteScore, sitesSleRow, summaryView, thresholdView,
} from '../views/sle.js';
import { insightsForm } from './pagination.js';
import { checkOrg, notFound, paramOf, queryOf, siteOf } from './route-kit.js';
import { BadRequest, parseDuration, parseLimit, parsePage, resolveWindow } from './window.js';

/** Org SLE insights (pagination form C), the per-site SLE endpoints, and gateway insight stats. */
export function registerSleRoutes(app: FastifyInstance, sim: Simulator): void {
  const org = sim.org;

  app.get('/api/v1/orgs/:org_id/insights/sites-sle', async (req, reply) => {
    if (!checkOrg(sim, req, reply)) return reply;
    const q = queryOf(req);
    if (q.sle !== undefined && !['wan', 'wifi', 'wired'].includes(q.sle)) throw new BadRequest(`invalid sle "${q.sle}"`);
    const w = resolveWindow(q, sim.engine.now);
    // The org has gateways only: wifi and wired SLE have no sites.
    const sites = q.sle === 'wan' ? org.sites : [];
    const page = insightsForm(sites, parsePage(q.page), parseLimit(q.limit, 100), req.simFlags.loop);
    return {
      start: w.start, end: w.end, interval: q.interval ? parseDuration(q.interval) : 3600,
      ...page, results: page.results.map((s) => sitesSleRow(sim.engine, s, w)),
    };
  });

  app.get('/api/v1/orgs/:org_id/insights/:metric', async (req, reply) => {
    if (!checkOrg(sim, req, reply)) return reply;
    if (paramOf(req, 'metric') !== 'worst-sites-by-sle') return notFound(reply, paramOf(req, 'metric'));
    const q = queryOf(req);
    const metric = metricName(q.sle ?? 'gateway-health');
    const w = resolveWindow(q, sim.engine.now);
    const limit = parseLimit(q.limit, 10);
    const scored = org.sites.map((s) => ({ site_id: s.id, [metric]: siteScore(sim.engine, s.index, metric, w) }))
      .sort((a, b) => Number(a[metric]) - Number(b[metric]) || (a.site_id < b.site_id ? -1 : 1));
    return { start: Math.floor(w.start), end: Math.floor(w.end), interval: 3600, limit, results: scored.slice(0, limit) };
  });

  const base = '/api/v1/sites/:site_id/sle/:scope/:scope_id';
  app.get(`${base}/metrics`, async (req, reply) => {
    if (!scoped(sim, req, reply)) return reply;
    return { enabled: SLE_METRIC_NAMES, supported: SLE_METRIC_NAMES };
  });

  const withMetric = (suffix: string, handler: (site: SimSite, metric: SleMetric, req: FastifyRequest) => unknown, scopes = ['site', 'gateway']): void => {
    app.get(`${base}/metric/:metric/${suffix}`, async (req, reply) => {
      const site = scoped(sim, req, reply, scopes);
      if (!site) return reply;
      const name = paramOf(req, 'metric');
      const metric = metricName(name, false);
      if (!metric) return notFound(reply, name);
      return handler(site, metric, req);
    });
  };
  const windowOf = (req: FastifyRequest): ReturnType<typeof resolveWindow> => resolveWindow(queryOf(req), sim.engine.now);
  withMetric('summary-trend', (site, m, req) => summaryView(sim.engine, site, m, windowOf(req), 3600, false));
  withMetric('summary', (site, m, req) => summaryView(sim.engine, site, m, windowOf(req), 3600, true));
  withMetric('histogram', (site, m, req) => histogramView(sim.engine, site, m, windowOf(req)));
  withMetric('threshold', (_site, m) => thresholdView(m));
  withMetric('classifiers', (_site, m) => [...SLE_METRICS[m]]);
  withMetric('impacted-gateways', (site, m, req) => impactedGatewaysView(sim.engine, site, m, classifierOf(m, req), windowOf(req)), ['site']);
  withMetric('impacted-interfaces', (site, m, req) => impactedInterfacesView(sim.engine, site, m, classifierOf(m, req), windowOf(req)));

  app.get('/api/v1/sites/:site_id/insights/gateway/:device_id/stats', async (req, reply) => {
    const site = siteOf(sim, req, reply);
    if (!site) return reply;
    const gw = org.gatewayById.get(paramOf(req, 'device_id'));
    if (!gw || gw.siteIndex !== site.index) return notFound(reply, paramOf(req, 'device_id'));
    const q = queryOf(req);
    if (!q.metrics) throw new BadRequest('metrics is required');
    const interval = parseDuration(q.interval ?? '10m');
    return gatewayInsightsView(sim.engine, gw, q.metrics.split(','), q.port_id, resolveWindow(q, sim.engine.now), interval);
  });
}

/** Accepts the spec's `application_health` spelling as well as the live `application-health`. */
function metricName(name: string, strict?: true): SleMetric;
function metricName(name: string, strict: false): SleMetric | undefined;
function metricName(name: string, strict = true): SleMetric | undefined {
  const normal = name.replace(/_/g, '-');
  if (isSleMetric(normal)) return normal;
  if (strict) throw new BadRequest(`unknown sle "${name}"`);
  return undefined;
}

function classifierOf(metric: SleMetric, req: FastifyRequest): string {
  const c = queryOf(req).classifier ?? '';
  if (c !== '' && !(SLE_METRICS[metric] as readonly string[]).includes(c)) throw new BadRequest(`unknown classifier "${c}"`);
  return c;
}

/** Validates /sites/{site_id}/sle/{scope}/{scope_id}: scope site → scope_id is the site; gateway → its device id. */
function scoped(sim: Simulator, req: FastifyRequest, reply: FastifyReply, scopes = ['site', 'gateway']): SimSite | undefined {
  const site = siteOf(sim, req, reply);
  if (!site) return undefined;
  const scope = paramOf(req, 'scope');
  const scopeId = paramOf(req, 'scope_id');
  if (!scopes.includes(scope)) throw new BadRequest(`scope "${scope}" not supported here`);
  const gw = sim.org.gateways[site.gatewayIndex]!;
  if ((scope === 'site' && scopeId !== site.id) || (scope === 'gateway' && scopeId !== gw.id)) {
    void notFound(reply, scopeId);
    return undefined;
  }
  return site;
}
