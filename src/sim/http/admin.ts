import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { DEFAULT_INCIDENT_SECONDS, INCIDENT_KINDS, SITE_INCIDENT_KINDS } from '../engine/incidents.js';
import type { Simulator } from '../simulator.js';
import { simInventory } from '../views/inventory.js';
import { siteTruth } from '../views/truth.js';
import { FaultSpecSchema } from './faults.js';
import { tokenFingerprint } from './rate-limit.js';
import { queryOf } from './route-kit.js';
import { BadRequest, listParam } from './window.js';

const IncidentSchema = z.object({
  kind: z.enum(INCIDENT_KINDS),
  site_id: z.string(),
  /** Defaults: the primary circuit (flap, failover) or the active one (congestion); not allowed for outage and reboot. */
  port_id: z.string().optional(),
  duration_seconds: z.number().positive().max(30 * 86_400).optional(),
}).strict();

// One fault, or {faults:[…]}: chosen by shape rather than z.union, whose error is only "Invalid input".
const FaultListSchema = z.object({ faults: z.array(FaultSpecSchema).min(1) }).strict();

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw new BadRequest(result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return result.data;
}

/** The simulator's own control API under /__sim/ (no auth, not rate limited, not counted). See docs/simulator.md. */
export function registerAdminRoutes(app: FastifyInstance, sim: Simulator): void {
  const org = sim.org;

  app.get('/__sim/org', async () => ({
    org_id: org.id,
    name: org.name,
    seed: org.seed,
    now: sim.sync(),
    speed: sim.clock.speed,
    tokens: [...sim.tokens].map(([token, name]) => ({ name, token, fingerprint: tokenFingerprint(token), revoked: sim.revoked.has(token) })),
    rate_limit: sim.limiter.limit,
    counts: {
      sites: org.sites.length,
      hubs: org.hubSiteIndexes.length,
      sitegroups: org.sitegroups.length,
      regions: org.regions.length,
      gateways: org.gateways.length,
      wan_ports: org.wanPorts.length,
      lan_ports: org.gateways.reduce((n, g) => n + g.lanPorts.length, 0),
      peer_paths: org.peerPaths.length,
    },
  }));

  app.get('/__sim/calls', async () => sim.calls.toJSON());
  app.delete('/__sim/calls', async () => {
    sim.calls.reset();
    return { reset: true };
  });

  app.get('/__sim/faults', async () => ({ faults: sim.faults.list(Date.now()) }));
  app.post('/__sim/faults', async (req, reply) => {
    const raw: unknown = req.body;
    const specs = typeof raw === 'object' && raw !== null && 'faults' in raw ? parse(FaultListSchema, raw).faults : [parse(FaultSpecSchema, raw)];
    const faults = specs.map((s) => sim.faults.add(s, Date.now()));
    return reply.code(201).send({ faults });
  });
  app.delete('/__sim/faults', async () => ({ cleared: sim.faults.clear() }));

  app.get('/__sim/incidents', async () => ({ now: sim.sync(), incidents: sim.engine.ctx.incidents.all() }));
  app.post('/__sim/incidents', async (req, reply) => {
    const body = parse(IncidentSchema, req.body);
    const site = sim.site(body.site_id);
    if (!site) throw new BadRequest(`unknown site_id ${body.site_id}`);
    sim.sync();
    const gw = org.gateways[site.gatewayIndex]!;
    let portIndex: number | undefined;
    if (SITE_INCIDENT_KINDS.has(body.kind)) {
      if (body.port_id !== undefined) throw new BadRequest(`port_id does not apply to a site-wide ${body.kind}`);
    } else {
      const fallback = body.kind === 'congestion' && sim.engine.ctx.state.activePort[gw.index]! >= 0
        ? sim.engine.ctx.state.activePort[gw.index]! : gw.wanPortIndexes[0]!;
      portIndex = body.port_id === undefined ? fallback : gw.wanPortIndexes.find((p) => org.wanPorts[p]!.portId === body.port_id);
      if (portIndex === undefined) throw new BadRequest(`site has no WAN port ${body.port_id}`);
    }
    const incident = sim.engine.addIncident(body.kind, site.index, portIndex, body.duration_seconds ?? DEFAULT_INCIDENT_SECONDS[body.kind]);
    return reply.code(201).send({ ...incident, site_id: site.id, port_id: portIndex === undefined ? null : org.wanPorts[portIndex]!.portId });
  });

  app.post('/__sim/advance', async (req) => {
    const { seconds } = parse(z.object({ seconds: z.number().positive().max(7 * 86_400) }).strict(), req.body);
    sim.clock.advance(seconds);
    return { now: sim.sync() };
  });

  // The org's circuit inventory file (CIRCUIT_INVENTORY_FILE), so tests and the demo can use the contracts.
  app.get('/__sim/inventory', async (req, reply) => {
    const q = queryOf(req);
    const format = q.format ?? 'csv';
    if (format !== 'csv' && format !== 'yaml') throw new BadRequest('format must be csv or yaml');
    const unknown = q.unknown === '1' || q.unknown === 'true';
    return reply.type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/yaml; charset=utf-8').send(simInventory(org, { format, unknown }));
  });

  app.get('/__sim/truth', async (req) => {
    const q = queryOf(req);
    const now = sim.sync();
    const ids = listParam(q.site_id);
    const sites = ids ? ids.map((id) => sim.site(id) ?? (() => { throw new BadRequest(`unknown site_id ${id}`); })()) : org.sites;
    const minutes = Math.min(Number(q.minutes ?? (ids ? 60 : 0)) || 0, sim.options.historyMinutes);
    const { alarms, events } = sim.engine.ctx;
    return {
      now, org_id: org.id, open_alarms: alarms.openAlarms().length, alarms: alarms.size, events: events.size,
      sites: sites.map((s) => siteTruth(sim.engine, s, { historyMinutes: minutes, paths: ids !== undefined })),
    };
  });
}
