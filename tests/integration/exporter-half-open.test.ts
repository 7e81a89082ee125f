import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { ExpositionCache } from '../../src/server/exposition-cache.js';
import { startExporter, type RunningExporter } from '../../src/server/exporter.js';
import { DEFAULT_RENDER_HEAP, WorkerRenderer } from '../../src/server/renderer.js';
import { RedisStore } from '../../src/store/redis.js';
import type { Store } from '../../src/store/types.js';
import { collectOnce, exporterConfig, parseSamples, publishRecords, readRecords, samplesOf } from '../support/exporter-harness.js';
import { captureLog, deleteKeys, uniquePrefix } from '../support/redis-store.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

/**
 * A Redis that stops answering without closing the connection (a half-open TCP connection: a dead peer or
 * middlebox) behind a proxy that halts forwarding. The exporter must not hang on it: store calls time out,
 * renders have a deadline, the refresh loop keeps its rhythm, the store is reported down, the last rendering is
 * served, and everything recovers when the proxy forwards again. Waits poll with timeouts far above the bounds.
 */
const COMMAND_TIMEOUT_S = 0.5;
const REFRESH_S = 1;
// Documented detection bound: EXPORTER_REFRESH_SECONDS + STORE_COMMAND_TIMEOUT_SECONDS (+ a render in progress).
const POLL_MS = 30_000;

async function until(what: string, check: () => Promise<boolean>, timeoutMs = POLL_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('exporter on a half-open Redis connection (real Redis behind a halting TCP proxy)', () => {
  let sim: TestSim;
  let redis: Redis;
  let direct: RedisStore;
  let proxy: TcpProxy;
  const prefix = uniquePrefix('half-open');
  const { log, lines } = captureLog('info');
  const closers: (() => Promise<void>)[] = [];
  const viaProxy = (): string => `redis://127.0.0.1:${proxy.port}`;

  beforeAll(async () => {
    sim = await startTestSim({ sites: 20 });
    redis = new Redis(inject('redisUrl'));
    direct = new RedisStore({ url: inject('redisUrl'), prefix }, log);
    await collectOnce(sim, direct, log);
    const target = new URL(inject('redisUrl'));
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
  }, 60_000);

  afterEach(async () => {
    proxy.resume();
    for (const close of closers.splice(0).reverse()) await close();
  });

  afterAll(async () => {
    await proxy?.close();
    await deleteKeys(redis, prefix);
    await direct?.close();
    redis?.disconnect();
    await sim?.close();
  });

  it('store calls time out: /ready 503 and mist_store_up 0 within the bound, last data served; recovers when forwarding resumes', async () => {
    const store = new RedisStore({ url: viaProxy(), prefix, commandTimeoutMs: COMMAND_TIMEOUT_S * 1000 }, log);
    const exporter: RunningExporter = await startExporter(store, exporterConfig(sim, {
      EXPORTER_REFRESH_SECONDS: String(REFRESH_S), STORE_COMMAND_TIMEOUT_SECONDS: String(COMMAND_TIMEOUT_S),
    }), log);
    closers.push(() => store.close(), () => exporter.close());
    const ready = async (): Promise<number> => (await exporter.app.inject({ url: '/ready' })).statusCode;
    const storeUp = async (): Promise<number | undefined> =>
      samplesOf(parseSamples((await exporter.app.inject({ url: '/metrics?family=exporter' })).payload), 'mist_store_up')[0]?.value;
    const orgInfo = async (): Promise<number> =>
      samplesOf(parseSamples((await exporter.app.inject({ url: '/metrics?family=org' })).payload), 'mist_org_info').length;
    expect(await ready()).toBe(200);
    expect(await storeUp()).toBe(1);

    proxy.halt();
    const haltedAt = Date.now();
    await until('/ready is 503', async () => (await ready()) === 503);
    console.log(`half-open store detected ${Date.now() - haltedAt} ms after the proxy halted (bound ${REFRESH_S + COMMAND_TIMEOUT_S} s)`);
    const body = (await exporter.app.inject({ url: '/ready' })).json<{ problems: string[] }>();
    expect(body.problems).toContain('store unreachable');
    expect(await storeUp()).toBe(0);
    // The last rendering is still served (it has not expired), while the store is reported down.
    expect(await orgInfo()).toBe(1);
    expect(lines.some((l) => l.includes('did not answer within 500 ms'))).toBe(true);

    proxy.resume();
    await until('/ready is 200 again', async () => (await ready()) === 200);
    expect(await storeUp()).toBe(1);
    expect(await orgInfo()).toBe(1);
  }, 120_000);

  it('a render whose read hangs is abandoned at its deadline: worker ended, last rendering kept, store down; recovers', async () => {
    // The main thread reads Redis directly; only the render worker's connection goes through the halting proxy,
    // with a command timeout far beyond the render deadline, so only the deadline can end its render.
    const workerStore: Store = new Proxy(direct, {
      get(target, prop, receiver) {
        if (prop === 'connectionOptions') return () => ({ url: viaProxy(), prefix, commandTimeoutMs: 300_000 });
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const renderer = new WorkerRenderer(workerStore, DEFAULT_RENDER_HEAP, 8_000);
    const cache = new ExpositionCache(workerStore, log, () => Date.now(), [], renderer);
    closers.push(() => cache.close());
    const orgView = () => cache.families().find((f) => f.family === 'org');
    await cache.refresh();
    expect(cache.storeState().up).toBe(true);
    const before = orgView()!;
    expect(before.series).toBeGreaterThan(0);

    proxy.halt();
    const key = { orgId: sim.orgId, family: 'org' };
    await publishRecords(direct, key, await readRecords(direct, key), 'regen-during-halt');
    await cache.refresh();
    expect(cache.storeState().up).toBe(false);
    expect(renderer.running).toBe(false);
    expect(orgView()!.source).toBe(before.source);
    expect(lines.some((l) => l.includes('render of org abandoned after 8000 ms'))).toBe(true);

    proxy.resume();
    await cache.refresh();
    expect(cache.storeState().up).toBe(true);
    expect(orgView()!.source).toBe(`${sim.orgId}:regen-during-halt`);
  }, 120_000);
});
