import type { FastifyInstance } from 'fastify';
import type { Simulator } from '../simulator.js';
import { tokenFingerprint } from './rate-limit.js';

/**
 * POST /__sim/tokens/{fingerprint}/revoke and …/restore: a token revoked in Mist mid-run (an admin deleted it,
 * or Mist answers 401 for a while) answers 401 "Invalid token." on every API call, /self included, until it
 * is restored. Addressed by fingerprint (GET /__sim/org lists them), so a test never has to send a token here.
 */
export function registerTokenAdminRoutes(app: FastifyInstance, sim: Simulator): void {
  const byFingerprint = (fingerprint: string): string | undefined => [...sim.tokens.keys()].find((t) => tokenFingerprint(t) === fingerprint);
  for (const action of ['revoke', 'restore'] as const) {
    app.post<{ Params: { fingerprint: string } }>(`/__sim/tokens/:fingerprint/${action}`, async (req, reply) => {
      const token = byFingerprint(req.params.fingerprint);
      if (token === undefined) return reply.code(404).send({ detail: `no token with fingerprint ${req.params.fingerprint}` });
      if (action === 'revoke') sim.revoked.add(token);
      else sim.revoked.delete(token);
      return { fingerprint: req.params.fingerprint, revoked: sim.revoked.has(token) };
    });
  }
}
