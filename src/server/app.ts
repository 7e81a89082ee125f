import { Readable } from 'node:stream';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from '../log.js';
import { FAMILY_CATALOGUES } from '../families/registry.js';
import { SELF_FAMILY } from '../metrics/catalogue/index.js';
import { CONTENT_TYPE } from '../metrics/exposition.js';
import { compressChunkSync, gzipParts, inflateChunks, type Chunk } from '../metrics/gzip.js';
import { authorized, challenge, type ExporterAuth } from './auth.js';
import type { ExpositionCache } from './exposition-cache.js';
import { landingPage } from './landing.js';
import { landingStatus, lockedLandingPage, PAGE_HEADERS } from './landing-locked.js';
import { servedOrgNames } from './landing-orgs.js';
import { clientErrorHandler, limitOptions } from './limits.js';
import { notFound } from './methods.js';

export type { ExporterAuth } from './auth.js';

export interface ExporterAppOptions {
  readonly cache: ExpositionCache;
  /** Renders the self-metrics text (collector freshness, API budget, exporter state) for one scrape. */
  readonly selfText: () => string;
  /** prom-client registry with the process and Node.js runtime metrics. */
  readonly registry: Registry;
  readonly version: string;
  readonly auth?: ExporterAuth;
  readonly log?: Logger;
  readonly now?: () => number;
  /** Landing page: where its dashboard and docs links point, and values it must never show. */
  readonly landing?: {
    readonly links?: { readonly grafanaUrl?: string | undefined; readonly docsUrl?: string | undefined };
    readonly secrets?: readonly string[];
  };
}

const KNOWN = new Set([...FAMILY_CATALOGUES.map((c) => c.family), SELF_FAMILY]);

/**
 * The exporter's HTTP API. Reads only the in-memory cache (the refresh loop keeps it current), never Mist and
 * never the store on the scrape path. Built without listening: tests use inject() or listen on port 0.
 */
export function buildExporterApp(opts: ExporterAppOptions): FastifyInstance {
  const now = opts.now ?? (() => Date.now());
  const app: FastifyInstance = Fastify({
    loggerInstance: opts.log as FastifyBaseLogger | undefined,
    logController: new LogController({ disableRequestLogging: true }),
    ...limitOptions(),
    clientErrorHandler: clientErrorHandler(opts.log),
  });
  app.setNotFoundHandler(notFound);

  app.get('/metrics', async (req: FastifyRequest<{ Querystring: { family?: string | string[] } }>, reply: FastifyReply) => {
    if (!authorized(req.headers.authorization, opts.auth)) {
      return reply.code(401).header('WWW-Authenticate', challenge(opts.auth)).type('text/plain').send('unauthorized\n');
    }
    const raw = req.query.family;
    const wanted = raw === undefined ? null : new Set((Array.isArray(raw) ? raw : [raw]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean));
    const unknown = wanted ? [...wanted].filter((f) => !KNOWN.has(f)) : [];
    if (unknown.length > 0) {
      return reply.code(400).type('text/plain').send(`unknown family: ${unknown.join(', ')} (known: ${[...KNOWN].join(', ')})\n`);
    }
    const chunks: Chunk[] = opts.cache.families().filter((f) => !wanted || wanted.has(f.family)).map((f) => f.chunk);
    if (!wanted || wanted.has(SELF_FAMILY)) {
      chunks.push(compressChunkSync(Buffer.from(opts.selfText() + (await opts.registry.metrics()))));
    }
    reply.type(CONTENT_TYPE).header('Cache-Control', 'no-store').header('Vary', 'Accept-Encoding');
    if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
      // The cached chunks go out as they are (no copy into one buffer per scrape).
      const { parts, length } = gzipParts(chunks);
      return reply.header('Content-Encoding', 'gzip').header('Content-Length', String(length)).send(Readable.from(parts));
    }
    const length = chunks.reduce((s, c) => s + c.size, 0);
    return reply.header('Content-Length', String(length)).send(inflateChunks(chunks));
  });

  app.get('/health', async () => ({ status: 'ok' }));

  app.get('/ready', async (_req, reply) => {
    const state = opts.cache.storeState();
    const families = opts.cache.families().map((f) => f.family);
    const problems = [...(state.up ? [] : ['store unreachable']), ...(families.length === 0 ? ['no data yet'] : [])];
    return reply.code(problems.length === 0 ? 200 : 503).send({ ready: problems.length === 0, problems, families });
  });

  app.get('/', async (req: FastifyRequest<{ Querystring: { login?: string } }>, reply: FastifyReply) => {
    if (!authorized(req.headers.authorization, opts.auth)) {
      // Auth is on and this visitor has no credentials: the status word and how to sign in (?login asks for them).
      const locked = lockedLandingPage(landingStatus(opts.cache.storeState(), now()), opts.auth!);
      if (req.query.login !== undefined) reply.code(401).header('WWW-Authenticate', challenge(opts.auth));
      return reply.type('text/html; charset=utf-8').headers(PAGE_HEADERS).send(locked);
    }
    const families = opts.cache.families();
    const page = landingPage({
      state: opts.cache.storeState(), families, version: opts.version, now: now(), orgNames: await servedOrgNames(families),
      ...(opts.landing?.links ? { links: opts.landing.links } : {}), ...(opts.landing?.secrets ? { secrets: opts.landing.secrets } : {}),
    });
    return reply.type('text/html; charset=utf-8').headers(PAGE_HEADERS).send(page);
  });

  return app;
}
