import type { FastifyInstance } from 'fastify';
import type { Simulator } from '../simulator.js';
import { BadRequest } from './window.js';

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
}
