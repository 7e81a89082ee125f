import type { FastifyInstance } from 'fastify';
import type { Simulator } from '../simulator.js';
import { gatewayStatsView } from '../views/devices.js';
import { inventoryView, orgView, selfView, sitegroupViews, siteView } from '../views/org.js';
import { pageForm } from './pagination.js';
import { checkOrg, queryOf } from './route-kit.js';
import { BadRequest, listParam, parseLimit, parsePage } from './window.js';

/** /self, /self/usage, the org, and the page/limit (form A) collections: sites, sitegroups, inventory, stats/devices. */
export function registerOrgRoutes(app: FastifyInstance, sim: Simulator): void {
  const tokenOf = (header: string | undefined): string => (header ?? '').slice(6).trim();

  app.get('/api/v1/self', async (req) => selfView(sim.org, sim.tokens.get(tokenOf(req.headers.authorization)) ?? 'token'));

  app.get('/api/v1/self/usage', async (req) => sim.limiter.usage(tokenOf(req.headers.authorization), sim.sync()));

  app.get('/api/v1/orgs/:org_id', async (req, reply) => (checkOrg(sim, req, reply) ? orgView(sim.org) : reply));

  app.get('/api/v1/orgs/:org_id/sites', async (req, reply) => {
    if (!checkOrg(sim, req, reply)) return reply;
    const q = queryOf(req);
    return pageForm(reply, sim.org.sites, parsePage(q.page), parseLimit(q.limit, 100), req.simFlags.loop, req.simFlags.overlap).map((s) => siteView(sim.org, s));
  });

  app.get('/api/v1/orgs/:org_id/sitegroups', async (req, reply) => {
    if (!checkOrg(sim, req, reply)) return reply;
    const q = queryOf(req);
    return pageForm(reply, sitegroupViews(sim.org), parsePage(q.page), parseLimit(q.limit, 100), req.simFlags.loop, req.simFlags.overlap);
  });

  app.get('/api/v1/orgs/:org_id/inventory', async (req, reply) => {
    if (!checkOrg(sim, req, reply)) return reply;
    const q = queryOf(req);
    const types = listParam(q.type);
    const macs = listParam(q.mac);
    const gateways = sim.org.gateways.filter((g) => sim.gatewayLive(g.index) &&
      (types === undefined || types.includes('gateway')) &&
      (q.site_id === undefined || sim.org.sites[g.siteIndex]!.id === q.site_id) &&
      (macs === undefined || macs.includes(g.mac)) &&
      (q.model === undefined || g.model === q.model));
    const s = sim.engine.ctx.state;
    return pageForm(reply, gateways, parsePage(q.page), parseLimit(q.limit, 100), req.simFlags.loop, req.simFlags.overlap)
      .map((g) => inventoryView(sim.org, g, s.connected[g.index] === 1));
  });

  app.get('/api/v1/orgs/:org_id/stats/devices', async (req, reply) => {
    if (!checkOrg(sim, req, reply)) return reply;
    const q = queryOf(req);
    // Mist's default type is ap: a collector that forgets type=gateway gets no gateways.
    const type = q.type ?? 'ap';
    if (!['ap', 'switch', 'gateway', 'all'].includes(type)) throw new BadRequest(`invalid type "${type}"`);
    const status = q.status ?? 'all';
    const macs = listParam(q.mac);
    const s = sim.engine.ctx.state;
    const gateways = type === 'gateway' || type === 'all' ? sim.org.gateways.filter((g) => sim.gatewayLive(g.index) &&
      (status === 'all' || (status === 'connected') === (s.connected[g.index] === 1)) &&
      (q.site_id === undefined || sim.org.sites[g.siteIndex]!.id === q.site_id) &&
      (macs === undefined || macs.includes(g.mac))) : [];
    const now = sim.engine.now;
    return pageForm(reply, gateways, parsePage(q.page), parseLimit(q.limit, 100), req.simFlags.loop, req.simFlags.overlap).map((g) => gatewayStatsView(sim.engine, g, now));
  });
}
