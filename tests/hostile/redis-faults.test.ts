import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareCollector, runCollector } from '../../src/collect/collector.js';
import { tokenFingerprint } from '../../src/mist/fingerprint.js';
import { startExporter, type RunningExporter } from '../../src/server/exporter.js';
import { COUNTER_LABELS } from '../../src/store/counters.js';
import { RedisStore } from '../../src/store/redis.js';
import { exporterConfig, parseSamples, samplesOf } from '../support/exporter-harness.js';
import { freePort } from '../support/redis.js';
import { infoField, startDurableRedis, type DurableRedis } from '../support/redis-durable.js';
import { captureLog, uniquePrefix } from '../support/redis-store.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';

/**
 * Redis faults under a running pipeline: the real collector (prepareCollector + runCollector: leader lock,
 * scheduler, counters) and the real exporter (HTTP on loopback, refresh every second) on a redis-server of
 * their own, configured as the compose stack ships it (appendonly yes, appendfsync everysec), which the test
 * crashes, stops for a while, fills up and turns into a read-only replica.
 *
 * Time is compressed 30×, as tests/support/fast-pipeline.ts does: every family's interval is multiplied by
 * 1/30 (wan-ports, circuits and events every 2 s instead of 60 s, gateways 4 s, sle 20 s; snapshots live 3
 * intervals: wan-ports 6 s) and the simulator runs 30× faster. "Redis down for a minute" therefore stands for
 * an outage of 15 s = 7.5 wan-ports intervals (7.5 production minutes), long enough for the leader lock (3 s)
 * and the short families' snapshots to expire. Waits poll with deadlines far above what they wait for.
 */
const SCALE = 1 / 30;
const DOWN_MS = 15_000;
const HOLD_MS = 8_000;
const GROUPS = Object.keys(COUNTER_LABELS);

async function until<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read().catch(() => undefined);
    if (v !== undefined && done(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}; last: ${JSON.stringify(v)?.slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Every key under `prefix` with its value (as text, whatever its type) and its PTTL. */
async function dump(client: Redis, prefix: string): Promise<Map<string, { value: string; pttl: number }>> {
  const out = new Map<string, { value: string; pttl: number }>();
  for (const key of (await client.keys(`${prefix}*`)).sort()) {
    const type = await client.type(key);
    const value = type === 'string' ? await client.get(key)
      : type === 'hash' ? JSON.stringify(Object.entries(await client.hgetall(key)).sort())
        : type === 'set' ? JSON.stringify((await client.smembers(key)).sort()) : `<${type}>`;
    out.set(key, { value: value ?? '', pttl: await client.pttl(key) });
  }
  return out;
}

describe('Redis faults under a running collector and exporter (own redis-server, AOF)', () => {
  let redis: DurableRedis;
  let sim: TestSim;
  let exporter: RunningExporter;
  let reader: RedisStore;
  const stores: RedisStore[] = [];
  const prefix = uniquePrefix('redis-faults');
  const collectorLog = captureLog('info');
  const exporterLog = captureLog('info');
  const stop = new AbortController();
  let collectorEnded: unknown = null;
  let collecting: Promise<void> | undefined;
  let closeApi: (() => Promise<void>) | undefined;
  /** Counter values as last read: every later read must be at least these (counters never go back). */
  const seen = new Map<string, number>();
  const regressions: string[] = [];

  beforeAll(async () => {
    redis = await startDurableRedis();
    sim = await startTestSim({ sites: 30, speed: 1 / SCALE });
    const config = exporterConfig(sim, { COLLECTOR_LOCK_TTL_SECONDS: '3', EXPORTER_REFRESH_SECONDS: '1', STORE_COMMAND_TIMEOUT_SECONDS: '1', LOG_LEVEL: 'info' });
    // Separate connections, as separate processes would have.
    const store = (log = captureLog('error').log): RedisStore => {
      const s = new RedisStore({ url: redis.url, prefix, commandTimeoutMs: 1_000 }, log);
      stores.push(s);
      return s;
    };
    reader = store();
    exporter = await startExporter(store(exporterLog.log), config, exporterLog.log);
    const prepared = await prepareCollector(config, collectorLog.log, { store: store(collectorLog.log) });
    closeApi = () => prepared.api.close();
    const jobs = prepared.jobs.map((j) => ({ ...j, intervalSeconds: Math.max(1, j.intervalSeconds * SCALE) }));
    collecting = runCollector({ ...prepared, jobs }, config, collectorLog.log, stop.signal).then(
      () => void (collectorEnded = 'returned'), (err: unknown) => void (collectorEnded = err));
  }, 60_000);

  afterAll(async () => {
    stop.abort();
    await collecting;
    await closeApi?.();
    await exporter?.close();
    for (const s of stores) await s.close();
    await sim?.close();
    await redis?.destroy();
  });

  const get = async (path: string): Promise<{ status: number; text: string }> => {
    const res = await fetch(`${exporter.url}${path}`, { signal: AbortSignal.timeout(5_000) });
    return { status: res.status, text: await res.text() };
  };
  const storeUp = async (): Promise<number | undefined> => samplesOf(parseSamples((await get('/metrics?family=exporter')).text), 'mist_store_up')[0]?.value;
  const ready = async (): Promise<number> => (await get('/ready')).status;

  /** Reads every counter group and records any field that went below a value read before. */
  const readCounters = async (): Promise<Map<string, number>> => {
    const now = new Map<string, number>();
    for (const group of GROUPS) {
      for (const [field, value] of Object.entries(await reader.readCounters(group))) now.set(`${group} ${field}`, value);
    }
    for (const [k, v] of now) {
      const before = seen.get(k);
      if (before !== undefined && v < before) regressions.push(`${k}: ${before} → ${v}`);
      seen.set(k, Math.max(v, before ?? v));
    }
    return now;
  };
  /**
   * Torn generations: for every family, the snapshot readers get must hold exactly the records its metadata
   * says were published (same generation), page count included. Returns the problems found.
   */
  const torn = async (): Promise<string[]> => {
    const problems: string[] = [];
    for (const key of await reader.listFamilies()) {
      const meta = await reader.readMeta(key);
      const snap = await reader.readSnapshot(key);
      if (!meta || !snap || meta.generation !== snap.generation) continue;
      const records = snap.pages.reduce((n, p) => n + (JSON.parse(p) as unknown[]).length, 0);
      if (snap.pages.length !== meta.pages || records !== meta.recordsKept) {
        problems.push(`${key.family} ${snap.generation}: ${snap.pages.length}/${meta.pages} pages, ${records}/${meta.recordsKept} records`);
      }
    }
    return problems;
  };
  const lastSuccess = async (family: string): Promise<number> =>
    (await reader.readMeta({ orgId: sim.orgId, family }))?.lastSuccess ?? 0;
  /** Waits until the collector publishes `family` again after `since` (epoch ms). */
  const publishedAfter = (family: string, since: number, timeoutMs = 30_000): Promise<number> =>
    until(`${family} is published after ${new Date(since).toISOString()}`, () => lastSuccess(family), (t) => t > since, timeoutMs);
  const logsSince = (lines: readonly string[], from: number): string[] => lines.slice(from);
  const expectCollectorRunning = (): void => expect(collectorEnded, 'runCollector is still running').toBeNull();

  /** Samples `check` every 250 ms for `ms`, collecting what it returns. */
  const during = async <T>(ms: number, check: () => Promise<T>): Promise<T[]> => {
    const out: T[] = [];
    const end = Date.now() + ms;
    while (Date.now() < end) {
      out.push(await check());
      await new Promise((r) => setTimeout(r, 250));
    }
    return out;
  };

  it('kill -9, restart from the AOF: every key comes back as it was; collector and exporter carry on, counters monotonic', async () => {
    // A steady state: every family published, counters counting, the exporter serving.
    await until('every family is published', () => reader.listFamilies(), (f) => f.length >= 10, 45_000);
    await until('the exporter is ready', ready, (s) => s === 200);
    const counters = await until('API calls are counted', readCounters, (c) => c.size > 0);
    const admin = redis.client();
    // Writes paused (clients' writes wait, unanswered), then the exact contents, then the crash: what the
    // restarted server loads must be exactly that, minus keys whose TTL ran out meanwhile.
    await admin.call('CLIENT', 'PAUSE', '10000', 'WRITE');
    const pausedAt = Date.now();
    const before = await dump(admin, prefix);
    await redis.stop('SIGKILL');
    // The AOF is read on a port no client of the test knows, so nothing writes before it is compared.
    const aside = await freePort();
    await redis.start(aside);
    const after = await dump(redis.client(aside), prefix);
    const elapsed = Date.now() - pausedAt;
    await redis.stop('SIGTERM');
    await redis.start();
    const restartedAt = Date.now();

    expect(before.size, 'keys before the crash').toBeGreaterThan(30);
    const mayExpire = (pttl: number): boolean => pttl >= 0 && pttl <= elapsed + 2_000;
    expect([...before].filter(([k, v]) => !after.has(k) && !mayExpire(v.pttl)).map(([k]) => k), 'keys lost').toEqual([]);
    expect([...before].filter(([k, v]) => after.has(k) && after.get(k)!.value !== v.value).map(([k]) => k), 'keys changed').toEqual([]);
    expect([...after.keys()].filter((k) => !before.has(k)), 'keys that appeared').toEqual([]);
    const kinds = [...before.keys()].map((k) => k.slice(prefix.length).replace(/^[0-9a-f-]{36}:[a-z-]+:/, '').replace(/:.*$/, ''));
    for (const kind of ['current', 'meta', 'gen', 'state', 'counters', 'families', 'lock', 'budgets']) expect(kinds, kind).toContain(kind);

    // Carrying on: the exporter reads again, the collector publishes new generations, counters only grew.
    await until('the exporter is ready again', ready, (s) => s === 200);
    expect(await storeUp()).toBe(1);
    const republished = await publishedAfter('wan-ports', restartedAt);
    const again = await readCounters();
    for (const [k, v] of counters) expect(again.get(k) ?? 0, k).toBeGreaterThanOrEqual(v);
    expect(regressions).toEqual([]);
    expect(await torn()).toEqual([]);
    expectCollectorRunning();
    console.log(`AOF restart: ${before.size} keys, ${after.size} back (read ${elapsed} ms after the crash); wan-ports republished ${republished - restartedAt} ms after the restart`);
  }, 90_000);

  it(`down for ${DOWN_MS / 1000} s (7.5 intervals): /metrics keeps answering with mist_store_up 0, /ready 503, /health 200; the collector comes back and counts on`, async () => {
    await until('the exporter is ready', ready, (s) => s === 200);
    const counters = await readCounters();
    const collectorMark = collectorLog.lines.length;
    await redis.stop('SIGTERM');
    const downAt = Date.now();
    let detectedAt = 0;
    /** Every /metrics, /health and /ready answer while Redis is down, and served counter samples never going back. */
    const servedCounters = new Map<string, number>();
    const served: string[] = [];
    const polls = await during(DOWN_MS, async () => {
      const metrics = await get('/metrics').catch((err: unknown) => ({ status: -1, text: String(err) }));
      const health = (await get('/health').catch(() => ({ status: -1 }))).status;
      const readyStatus = await ready().catch(() => -1);
      const samples = metrics.status === 200 ? parseSamples(metrics.text) : [];
      const up = samplesOf(samples, 'mist_store_up')[0]?.value;
      if (up === 0 && detectedAt === 0) detectedAt = Date.now();
      for (const s of samples.filter((x) => x.name.startsWith('mist_') && x.name.endsWith('_total'))) {
        const k = `${s.name}${JSON.stringify(s.labels)}`;
        if ((servedCounters.get(k) ?? -Infinity) > s.value) served.push(`${k}: ${servedCounters.get(k)} → ${s.value}`);
        servedCounters.set(k, s.value);
      }
      return { metrics: metrics.status, health, ready: readyStatus, up, wanPorts: samples.some((s) => s.name.startsWith('mist_wan_port_')), org: samplesOf(samples, 'mist_org_info').length };
    });
    await redis.start();
    const backAt = Date.now();

    expect(polls.length).toBeGreaterThan(20);
    expect(polls.filter((p) => p.metrics !== 200 || p.health !== 200), '/metrics and /health always 200').toEqual([]);
    expect(detectedAt, 'mist_store_up went to 0').toBeGreaterThan(0);
    const afterDetection = polls.slice(polls.findIndex((p) => p.up === 0));
    expect(afterDetection.filter((p) => p.up !== 0 || p.ready !== 503), 'store down and not ready until Redis is back').toEqual([]);
    expect(served, 'served counters never go back').toEqual([]);
    // Expired data goes (no zeros for unknown); data still within its TTL stays.
    const last = polls.at(-1)!;
    expect(last.wanPorts, 'wan-ports (6 s TTL) no longer served after 15 s').toBe(false);
    expect(last.org, 'org (6 min TTL) still served').toBe(1);
    const whileDown = logsSince(collectorLog.lines, collectorMark).join('\n');
    // Why, in the collector's own words (the connection error itself is logged once a minute at most).
    expect(whileDown).toMatch(/ECONNREFUSED|did not answer within/);
    expect(whileDown).toMatch(/lost the collector lock|lock renewal failed/);
    expectCollectorRunning();

    // Back: the exporter reads again, the collector takes the lock and publishes, counters carry on.
    await until('the exporter is ready again', ready, (s) => s === 200);
    const readyAt = Date.now();
    expect(await storeUp()).toBe(1);
    const published = await publishedAfter('wan-ports', backAt);
    await publishedAfter('events', backAt);
    await until('the exporter serves wan-ports again', async () => (await get('/metrics?family=wan-ports')).text, (t) => t.includes('mist_wan_port_'));
    const again = await readCounters();
    for (const [k, v] of counters) expect(again.get(k) ?? 0, k).toBeGreaterThanOrEqual(v);
    expect([...again].some(([k, v]) => k.startsWith('api_requests') && v > (counters.get(k) ?? 0)), 'API calls counted after the outage').toBe(true);
    expect(regressions).toEqual([]);
    expect(await torn()).toEqual([]);
    expect(logsSince(collectorLog.lines, collectorMark).join('\n')).toMatch(/became the active collector/);
    expectCollectorRunning();
    console.log(`Redis down ${backAt - downAt} ms: ${polls.length} polls, all /metrics and /health 200; store down detected after ${detectedAt - downAt} ms; ready ${readyAt - backAt} ms and wan-ports republished ${published - backAt} ms after Redis returned`);
  }, 90_000);

  it('full (maxmemory reached, noeviction): the OOM error is logged, readers keep the last complete generation, mist_store_up stays 1; recovers when memory is freed', async () => {
    const admin = redis.client();
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    const used = Number(await infoField(admin, 'memory', 'used_memory'));
    await admin.config('SET', 'maxmemory', String(used + 4 * 1024 * 1024));
    const mark = collectorLog.lines.length;
    // Filled up as another tenant of the same Redis would.
    const filler = 'x'.repeat(64 * 1024);
    let n = 0;
    const fill = async (): Promise<void> => {
      for (;;) {
        const err = await admin.set(`filler:${n}`, filler).then(() => null, (e: unknown) => e as Error);
        if (err) {
          expect(err.message).toMatch(/^OOM/);
          return;
        }
        n += 1;
      }
    };
    await fill();
    // Reached, and kept reached while the collector's own snapshots expire: the ceiling 1 MiB below the use.
    await admin.config('SET', 'maxmemory', String(Number(await infoField(admin, 'memory', 'used_memory')) - 1024 * 1024));
    const fullAt = Date.now();
    const before = await lastSuccess('wan-ports');
    const polls = await during(HOLD_MS, async () => ({ torn: await torn(), up: await storeUp(), metrics: (await get('/metrics')).status }));
    expect(polls.flatMap((p) => p.torn), 'no torn generation while full').toEqual([]);
    expect(polls.filter((p) => p.up !== 1 || p.metrics !== 200), 'reads still work: store up, /metrics 200').toEqual([]);
    // (a cycle that staged its pages before Redis filled up may still publish: PUBLISH only frees and re-stamps)
    expect(await lastSuccess('wan-ports'), 'nothing published while full').toBeLessThanOrEqual(Math.max(before, fullAt + 2_500));
    // Each failed cycle says why: Redis's own OOM error, not just "EXECABORT … previous errors".
    const failures = logsSince(collectorLog.lines, mark).filter((l) => /cycle (crashed|failed)/.test(l) && l.includes('"family":"wan-ports"'));
    expect(failures.length, 'wan-ports cycles failed and said so').toBeGreaterThan(0);
    expect(failures.filter((l) => !l.includes("OOM command not allowed when used memory > 'maxmemory'")), 'every failure names the OOM').toEqual([]);
    console.log(`full: ${n} filler keys of 64 KiB; ${failures.length} wan-ports cycle failures logged, e.g. ${failures[0]?.slice(0, 400)}`);
    expectCollectorRunning();

    const keys = Array.from({ length: n }, (_, i) => `filler:${i}`);
    if (keys.length > 0) await admin.del(...keys);
    await admin.config('SET', 'maxmemory', '0');
    const fixedAt = Date.now();
    const published = await publishedAfter('wan-ports', fixedAt);
    await readCounters();
    expect(regressions).toEqual([]);
    expect(await torn()).toEqual([]);
    expect(await storeUp()).toBe(1);
    console.log(`full: wan-ports republished ${published - fixedAt} ms after memory was freed`);
  }, 90_000);

  it('read-only (demoted to a replica by FAILOVER): READONLY is logged, readers and the exporter keep working on the last complete generation; recovers when promoted back', async () => {
    const admin = redis.client();
    const replica = await startDurableRedis(['--replicaof', '127.0.0.1', String(redis.port), '--appendonly', 'no']);
    try {
      const other = replica.client();
      await until('the replica is in sync', () => infoField(other, 'replication', 'master_link_status'), (s) => s === 'up');
      const mark = collectorLog.lines.length;
      const exporterMark = exporterLog.lines.length;
      // A coordinated failover (what Sentinel does): writes paused until the replica caught up, then roles swap.
      await admin.call('FAILOVER');
      await until('our Redis is a replica', () => infoField(admin, 'replication', 'role'), (r) => r === 'slave');
      await until('it follows the new master', () => infoField(admin, 'replication', 'master_link_status'), (s) => s === 'up');
      const demotedAt = Date.now();
      // A token fingerprint listed without its record (what the records' 2 h TTL leaves when a token is removed):
      // written on the new master, replicated to ours.
      await other.sadd(`${prefix}budgets`, 'ffffffffffff');
      await until('the stale fingerprint is replicated', () => admin.sismember(`${prefix}budgets`, 'ffffffffffff'), (v) => v === 1);
      // The switch-over paused reads for a moment; from then on the exporter reads the replica.
      await until('the exporter reads the replica', storeUp, (v) => v === 1, 15_000);
      const polls = await during(HOLD_MS, async () => ({ torn: await torn(), up: await storeUp(), ready: await ready(), metrics: (await get('/metrics')).status }));
      expect(polls.flatMap((p) => p.torn), 'no torn generation while read-only').toEqual([]);
      expect(polls.filter((p) => p.up !== 1 || p.metrics !== 200), 'reads still work: store up, /metrics 200').toEqual([]);
      const logged = logsSince(collectorLog.lines, mark).filter((l) => l.includes("READONLY You can't write against a read only replica"));
      expect(logged.length, 'READONLY is in the collector log').toBeGreaterThan(0);
      const cycles = logsSince(collectorLog.lines, mark).filter((l) => /cycle (crashed|failed)/.test(l));
      expect(cycles.filter((l) => !l.includes('READONLY')), 'every failed cycle names READONLY').toEqual([]);
      expect(await lastSuccess('wan-ports'), 'nothing published while read-only').toBeLessThanOrEqual(demotedAt + 1_000);
      expectCollectorRunning();
      console.log(`read-only: ${logged.length} collector log lines name READONLY, e.g. ${logged[0]?.slice(0, 400)}; exporter warnings: ${logsSince(exporterLog.lines, exporterMark).filter((l) => l.includes('"level":40')).length}`);

      await other.call('FAILOVER');
      await until('our Redis is the master again', () => infoField(admin, 'replication', 'role'), (r) => r === 'master');
      const promotedAt = Date.now();
      const published = await publishedAfter('wan-ports', promotedAt);
      await readCounters();
      expect(regressions).toEqual([]);
      expect(await torn()).toEqual([]);
      expect(await storeUp()).toBe(1);
      console.log(`read-only: wan-ports republished ${published - promotedAt} ms after the promotion`);
    } finally {
      await admin.call('REPLICAOF', 'NO', 'ONE').catch(() => undefined);
      await replica.destroy();
    }
  }, 90_000);

  it('after all of it, nothing counted twice or lost: the API call counters equal the calls the simulator received', async () => {
    // Stopping the collector flushes what it has not written yet.
    stop.abort();
    await collecting;
    expect(collectorEnded).toBe('returned');
    const counted = Object.values(await reader.readCounters('api_requests')).reduce((a, b) => a + b, 0);
    const received = (await sim.admin<{ by_token: Record<string, number> }>('GET', '/__sim/calls')).body.by_token[tokenFingerprint(sim.token)] ?? 0;
    expect(received).toBeGreaterThan(20);
    expect(counted, 'mist_api_requests_total summed over endpoints').toBe(received);
    console.log(`API calls: ${received} received by the simulator, ${counted} counted`);
  }, 30_000);
});
