import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Simulator } from '../simulator.js';
import { MIST_ERRORS, type SimRequestFlags } from './types.js';

/**
 * Everything Mist does before a handler runs, in Mist's order: authentication, the hourly per-token budget,
 * and the faults a test asked for. Also counts every call for /__sim/calls.
 */
export function installGuard(app: FastifyInstance, sim: Simulator, hung: Set<Socket>): void {
  // Fastify wants null for reference-typed decorations; onRequest sets a fresh object per request.
  app.decorateRequest('simFlags', null as unknown as SimRequestFlags);

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    req.simFlags = { loop: false };
    const path = req.url.split('?')[0] ?? req.url;
    if (!path.startsWith('/api/')) return;
    const route = req.routeOptions.url ?? path;
    const header = req.headers.authorization;
    const token = typeof header === 'string' && header.startsWith('Token ') ? header.slice(6).trim() : undefined;
    const known = token !== undefined && sim.tokens.has(token) && !sim.revoked.has(token);
    sim.calls.record(route, known ? token : undefined);
    if (!known) {
      sim.calls.unauthorized += 1;
      return reply.code(401).send(token === undefined ? MIST_ERRORS.noCredentials : MIST_ERRORS.invalidToken);
    }
    const now = sim.sync();
    const nowMs = Date.now();
    // Permissions before the rate limit (Django REST framework's order: a 403 spends no budget).
    if (sim.faults.draw(path, nowMs, ['forbidden']).length > 0) {
      sim.calls.faulted += 1;
      return reply.code(403).send(MIST_ERRORS.forbidden);
    }
    const storm = sim.faults.draw(path, nowMs, ['rate_limit_storm'])[0];
    if (storm) sim.calls.faulted += 1;
    const take = storm ? { ok: false, resetIn: 60 } : sim.limiter.take(token, now);
    if (!take.ok) {
      sim.calls.rateLimited += 1;
      const retryAfter = storm?.retry_after !== undefined ? storm.retry_after
        : sim.retryAfter ? Math.max(1, Math.ceil(sim.clock.realSeconds(take.resetIn))) : false;
      if (retryAfter !== false) reply.header('Retry-After', String(retryAfter));
      return reply.code(429).send(MIST_ERRORS.tooMany);
    }
    for (const fault of sim.faults.draw(path, nowMs, ['latency', 'hang', 'error', 'malformed_json', 'truncated_body', 'pagination_loop', 'page_overlap'])) {
      sim.calls.faulted += 1;
      switch (fault.kind) {
        case 'latency':
          await sleep(fault.latency_ms);
          break;
        case 'hang':
          // Never answer; the socket stays open until the client gives up or the simulator closes.
          hung.add(req.raw.socket);
          req.raw.socket.once('close', () => hung.delete(req.raw.socket));
          reply.hijack();
          return reply;
        case 'error':
          // Mist's edge answers 5xx with an HTML page, not JSON.
          return reply.code(fault.status).type('text/html').send(`<html><body><h1>${fault.status} ${STATUS_CODES[fault.status] ?? 'Server Error'}</h1></body></html>`);
        case 'malformed_json':
        case 'truncated_body':
          req.simFlags.bodyFault = fault.kind;
          break;
        case 'pagination_loop':
          req.simFlags.loop = true;
          break;
        case 'page_overlap':
          req.simFlags.overlap = fault.rows ?? 1;
          break;
      }
    }
    return undefined;
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const fault = req.simFlags?.bodyFault;
    if (!fault || typeof payload !== 'string' || reply.statusCode !== 200) return payload;
    if (fault === 'malformed_json') return `${payload.slice(0, Math.floor(payload.length / 2))}<!-- upstream reset -->`;
    // Announce the full length, send half, then cut the connection.
    const full = Buffer.from(payload);
    reply.header('content-length', String(full.length));
    const stream = new Readable({ read() {} });
    stream.push(full.subarray(0, Math.floor(full.length / 2)));
    setImmediate(() => stream.destroy(new Error('simulated truncated body')));
    return stream;
  });
}
