import type { FastifyReply, FastifyRequest } from 'fastify';

/** Every route the exporter serves: all read-only, answered for GET and HEAD only. */
export const READ_ONLY_ROUTES = ['/', '/metrics', '/health', '/ready'] as const;

/**
 * The not-found handler: another method on one of the routes is 405 (with Allow), anything else 404. Plain
 * text that does not echo the request (fastify's default names the method and URL back). Nothing writes.
 */
export async function notFound(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const path = req.url.split('?')[0] ?? '';
  if ((READ_ONLY_ROUTES as readonly string[]).includes(path) && req.method !== 'GET' && req.method !== 'HEAD') {
    return reply.code(405).header('Allow', 'GET, HEAD').type('text/plain').send('method not allowed: this exporter is read-only\n');
  }
  return reply.code(404).type('text/plain').send('not found\n');
}
