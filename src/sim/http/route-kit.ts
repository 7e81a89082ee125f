import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SimSite } from '../model/types.js';
import type { Simulator } from '../simulator.js';
import { MIST_ERRORS } from './types.js';

/** Small helpers shared by the Mist-shaped routes. */

export type Query = Record<string, string | undefined>;

export function queryOf(req: FastifyRequest): Query {
  const out: Query = {};
  for (const [k, v] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
    out[k] = Array.isArray(v) ? String(v[v.length - 1]) : v === undefined ? undefined : String(v);
  }
  return out;
}

export function paramOf(req: FastifyRequest, name: string): string {
  return String((req.params as Record<string, unknown>)[name] ?? '');
}

/** The org in the path must be the token's org; any other is forbidden, as Mist answers. */
export function checkOrg(sim: Simulator, req: FastifyRequest, reply: FastifyReply): boolean {
  if (paramOf(req, 'org_id') === sim.org.id) return true;
  void reply.code(403).send(MIST_ERRORS.forbidden);
  return false;
}

/** A site outside the org is another org's (or nobody's): forbidden. */
export function siteOf(sim: Simulator, req: FastifyRequest, reply: FastifyReply): SimSite | undefined {
  const site = sim.site(paramOf(req, 'site_id'));
  if (!site) void reply.code(403).send(MIST_ERRORS.forbidden);
  return site;
}

export function notFound(reply: FastifyReply, id: string): FastifyReply {
  return reply.code(404).send({ id });
}
