import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Simulator } from '../simulator.js';
import { BadRequest } from './window.js';

const MoveSchema = z.object({ site_id: z.string() }).strict();

/**
 * POST /__sim/gateways/{mac}/move {site_id}: the gateway (with its WAN ports and VPN paths) belongs to another
 * existing site from now on, as when it is re-assigned in Mist. The model keeps one gateway per site, so the target
 * site's own gateway must be decommissioned first (the real-world case: a gateway replaces a retired one); the two
 * sites swap gateway slots, so the old site keeps only its decommissioned gateway and shows nothing. Every view
 * (inventory, stats, searches, new events and alarms, /__sim/truth, incidents) then reports the new site; events
 * and alarms from before the move keep the old one. Hub sites cannot take part (their paths end on them).
 */
function moveGateway(sim: Simulator, mac: string, siteId: string): { from: string; to: string } {
  const org = sim.org;
  const gw = org.gateways.find((g) => g.mac === mac);
  if (!gw) throw new BadRequest(`unknown gateway mac ${mac}`);
  if (!sim.gatewayLive(gw.index)) throw new BadRequest(`gateway ${mac} is decommissioned`);
  const to = sim.site(siteId);
  if (!to) throw new BadRequest(`unknown site_id ${siteId}`);
  const from = org.sites[gw.siteIndex]!;
  if (to.index === from.index) throw new BadRequest(`gateway ${mac} is already at site ${siteId}`);
  if (from.isHub || to.isHub) throw new BadRequest('hub sites cannot take part in a move');
  if (sim.gatewayLive(to.gatewayIndex)) throw new BadRequest(`site ${siteId} has a live gateway; decommission it first`);
  sim.sync();
  // The model is built once and read everywhere by index; a move is the one sanctioned mutation of it.
  const retired = to.gatewayIndex;
  (to as { gatewayIndex: number }).gatewayIndex = gw.index;
  (from as { gatewayIndex: number }).gatewayIndex = retired;
  (gw as { siteIndex: number }).siteIndex = to.index;
  for (const p of gw.wanPortIndexes) (org.wanPorts[p] as { siteIndex: number }).siteIndex = to.index;
  return { from: from.id, to: to.id };
}

/**
 * POST /__sim/gateways/{mac}/decommission: takes a gateway out of the org from now on, as when it is unclaimed
 * in Mist: it leaves the inventory, stats/devices, stats/ports/search and stats/vpn_peers/search (its own paths
 * and, for a hub, the paths ending on it); its events and alarms stop, those before stay searchable. For tests
 * that a decommissioned gateway's series leave /metrics. There is no way back (a fresh simulator is cheap).
 */
export function registerGatewayAdminRoutes(app: FastifyInstance, sim: Simulator): void {
  app.post('/__sim/gateways/:mac/decommission', async (req, reply) => {
    const { mac } = req.params as { mac: string };
    const gw = sim.org.gateways.find((g) => g.mac === mac);
    if (!gw) throw new BadRequest(`unknown gateway mac ${mac}`);
    const at = sim.sync();
    if (!sim.decommissioned.has(gw.index)) sim.decommissioned.set(gw.index, at);
    return reply.code(200).send({ mac, site_id: sim.org.sites[gw.siteIndex]!.id, decommissioned_at: sim.decommissioned.get(gw.index) });
  });

  app.post('/__sim/gateways/:mac/move', async (req, reply) => {
    const { mac } = req.params as { mac: string };
    const parsed = MoveSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw new BadRequest(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    const { from, to } = moveGateway(sim, mac, parsed.data.site_id);
    return reply.code(200).send({ mac, from_site_id: from, site_id: to, moved_at: sim.engine.now });
  });
}
