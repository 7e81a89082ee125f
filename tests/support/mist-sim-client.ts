/**
 * A real Mist client (undici over loopback) pointed at a test simulator, for the mist-client* integration
 * tests. Its clock is the simulator's clock and its sleep advances simulated time (POST /__sim/advance), so a
 * Retry-After of an hour costs no wall time and both sides agree on clock hours.
 */
import { createMistClient, type MistClient, type MistClientOptions } from '../../src/mist/index.js';
import type { CallRecord, Endpoint, Page } from '../../src/mist/types.js';
import { captureLog } from './mist-fake.js';
import type { TestSim } from './sim-server.js';

export interface SimClient {
  client: MistClient;
  records: CallRecord[];
  logs: ReturnType<typeof captureLog>;
  /** Simulated ms the client slept (cooldowns, backoff). */
  slept: number[];
}

export async function simClient(t: TestSim, overrides: Partial<MistClientOptions> = {}): Promise<SimClient> {
  const records: CallRecord[] = [];
  const slept: number[] = [];
  const logs = captureLog();
  const client = await createMistClient({
    baseUrl: t.url,
    tokens: [t.token],
    now: () => t.sim.clock.now() * 1000,
    sleep: async (ms) => {
      slept.push(ms);
      if (ms > 0) await t.admin('POST', '/__sim/advance', { seconds: ms / 1000 });
    },
    onCall: (r) => void records.push(r),
    ...overrides,
  }, logs.log);
  return { client, records, logs, slept };
}

export async function walk<T>(client: MistClient, endpoint: Endpoint<T>): Promise<{ pages: Page<T>[]; records: T[] }> {
  const pages: Page<T>[] = [];
  for await (const page of client.pages(endpoint)) pages.push(page);
  return { pages, records: pages.flatMap((p) => p.records) };
}

export interface SimCalls {
  total: number;
  rate_limited: number;
  unauthorized: number;
  faulted: number;
  by_route: Record<string, number>;
  by_token: Record<string, number>;
}

export async function simCalls(t: TestSim): Promise<SimCalls> {
  return (await t.admin<SimCalls>('GET', '/__sim/calls')).body;
}
