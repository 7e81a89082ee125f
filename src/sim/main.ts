import type { Logger } from '../log.js';
import { buildSimApp } from './http/app.js';
import type { SimOptions } from './options.js';
import { Simulator } from './simulator.js';

export interface RunningSimulator {
  url: string;
  orgId: string;
  simulator: Simulator;
  close(): Promise<void>;
}

/** Builds the org, warms it up, and serves the Mist-shaped API until close(). */
export async function startSimulator(opts: SimOptions, log: Logger): Promise<RunningSimulator> {
  const started = performance.now();
  const simulator = new Simulator(opts);
  const built = performance.now();
  // Keep the engine near the clock even when nobody calls, so events and alarms carry their real times.
  const tick = setInterval(() => simulator.sync(), Math.max(250, Math.min(5000, 60_000 / opts.speed)));
  tick.unref();
  const { app } = buildSimApp(simulator, log);
  const address = await app.listen({ host: opts.host, port: opts.port });
  const url = address.replace('[::1]', '127.0.0.1');
  log.info({
    wanPorts: simulator.org.wanPorts.length, peerPaths: simulator.org.peerPaths.length,
    buildMs: Math.round(built - started), readyMs: Math.round(performance.now() - started),
  }, 'simulated org built and warmed up');
  return {
    url,
    orgId: simulator.org.id,
    simulator,
    async close() {
      clearInterval(tick);
      await app.close();
    },
  };
}
