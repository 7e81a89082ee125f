import type { Socket } from 'node:net';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from '../../log.js';
import type { Simulator } from '../simulator.js';
import { registerAdminRoutes } from './admin.js';
import { registerGatewayAdminRoutes } from './admin-gateways.js';
import { registerTokenAdminRoutes } from './admin-tokens.js';
import { installGuard } from './guard.js';
import { registerOrgRoutes } from './routes-org.js';
import { registerSearchRoutes } from './routes-search.js';
import { registerSleRoutes } from './routes-sle.js';

export interface SimApp {
  app: FastifyInstance;
  /** Sockets of requests the `hang` fault is holding; destroyed on close. */
  hung: Set<Socket>;
}

/** Builds the Mist-shaped HTTP API plus /__sim/ admin routes. Never listens: the caller does (tests use inject or listen(0)). */
export function buildSimApp(sim: Simulator, log?: Logger): SimApp {
  // Typed as the default FastifyInstance so route modules need not know the logger's concrete type.
  const app: FastifyInstance = Fastify({ loggerInstance: log as FastifyBaseLogger | undefined, logController: new LogController({ disableRequestLogging: true }), forceCloseConnections: true });
  const hung = new Set<Socket>();
  installGuard(app, sim, hung);
  registerOrgRoutes(app, sim);
  registerSearchRoutes(app, sim);
  registerSleRoutes(app, sim);
  registerAdminRoutes(app, sim);
  registerGatewayAdminRoutes(app, sim);
  registerTokenAdminRoutes(app, sim);

  app.setNotFoundHandler((_req, reply) => reply.code(404).send({}));
  app.setErrorHandler((err: FastifyError, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) app.log.error({ err }, 'simulator error');
    return reply.code(status).send({ detail: status === 500 ? 'Internal Server Error' : err.message });
  });
  app.addHook('onClose', async () => {
    for (const socket of hung) socket.destroy();
  });
  return { app, hung };
}
