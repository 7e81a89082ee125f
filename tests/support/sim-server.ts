import { buildSimApp } from '../../src/sim/http/app.js';
import { DEMO_TOKEN, SimOptionsSchema, type SimOptions } from '../../src/sim/options.js';
import { Simulator } from '../../src/sim/simulator.js';

/** A fixed simulated start (2026-09-21T14:13:20Z: a Monday morning in the org's US time zones) so runs are reproducible. */
export const TEST_START = 1_790_000_000;

export interface TestSim {
  url: string;
  sim: Simulator;
  orgId: string;
  token: string;
  /** GET with the demo token; returns status, headers and the raw text (parse it yourself: faults send bad JSON). */
  get(path: string, init?: { token?: string | null; signal?: AbortSignal }): Promise<{ status: number; headers: Headers; text: string; json<T = unknown>(): T }>;
  /** JSON call to the /__sim admin API. */
  admin<T = unknown>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

/** Starts a simulator on a real loopback port (real HTTP, as a collector would see it). */
export async function startTestSim(overrides: Partial<SimOptions> = {}): Promise<TestSim> {
  const opts = SimOptionsSchema.parse({ sites: 120, startTime: TEST_START, warmupMinutes: 30, port: 0, ...overrides });
  const sim = new Simulator(opts);
  const { app } = buildSimApp(sim);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const token = opts.tokens[0] ?? DEMO_TOKEN;
  return {
    url: address,
    sim,
    orgId: sim.org.id,
    token,
    async get(path, init = {}) {
      const headers: Record<string, string> = {};
      const t = init.token === undefined ? token : init.token;
      if (t !== null) headers.authorization = `Token ${t}`;
      const res = await fetch(`${address}${path}`, { headers, signal: init.signal });
      const text = await res.text();
      return { status: res.status, headers: res.headers, text, json: <T>() => JSON.parse(text) as T };
    },
    async admin<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) {
      const res = await fetch(`${address}${path}`, {
        method,
        ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
      });
      return { status: res.status, body: (await res.json()) as T };
    },
    close: () => app.close(),
  };
}
