import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { COUNTER_LABELS } from '../../src/store/counters.js';
import { eventsFamily } from '../../src/families/events/index.js';
import { FAMILY_NAMES } from '../../src/families/registry.js';
import { RedisStore } from '../../src/store/redis.js';
import { spawnCli, type CliProcess } from '../support/cli-process.js';
import { collectOnce } from '../support/exporter-harness.js';
import { freePort } from '../support/redis.js';
import { captureLog, deleteKeys, uniquePrefix } from '../support/redis-store.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';
import { flapsByPort, transitionsByPort } from '../support/truth.js';

/**
 * Process faults with real processes (`mist-wan-exporter collector` / `exporter`, SIGKILL) on the shared Redis.
 * tests/integration/collector-ha.test.ts kills a collector once mid-walk and an idle active collector once;
 * these go further: the active collector of an HA group is killed three times in a row (idle, mid-walk of the
 * round a new leader starts with, and at a random moment of that round), each time replaced, while a reader
 * checks every generation it can see and every counter; then an exporter replica is killed and restarted
 * while scrapers hammer both replicas.
 */
const GROUPS = Object.keys(COUNTER_LABELS);
const EVENTS = eventsFamily.name;

async function until<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}; last: ${JSON.stringify(v)?.slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('process faults (real collector and exporter processes, SIGKILL)', () => {
  let sim: TestSim;
  let redis: Redis;
  const running: CliProcess[] = [];
  const tokens = ['token-of-collector-a', 'token-of-collector-b'];

  beforeAll(async () => {
    // The simulated clock nearly frozen: only /__sim/advance moves it, so the truth read after a cycle and the
    // events the cycle counted describe the same instant.
    sim = await startTestSim({ sites: 60, tokens, speed: 0.001 });
    redis = new Redis(inject('redisUrl'));
  }, 60_000);

  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.kill()));
    await sim.admin('DELETE', '/__sim/faults');
  });

  afterAll(async () => {
    redis?.disconnect();
    await sim?.close();
  });

  const start = (args: string[], env: Record<string, string>): CliProcess => {
    const p = spawnCli(args, { REDIS_URL: inject('redisUrl'), LOG_LEVEL: 'info', ...env });
    running.push(p);
    return p;
  };

  it('the active collector killed three times (idle, mid-walk, at a random moment): no torn generation, counters monotonic, flaps counted exactly once', async () => {
    const prefix = uniquePrefix('chaos');
    const store = new RedisStore({ url: inject('redisUrl'), prefix }, captureLog('warn').log);
    const collector = (n: number): CliProcess => start(['collector'], {
      MIST_API_TOKENS: tokens[n % 2]!, MIST_HOST: sim.url, STORE_KEY_PREFIX: prefix, COLLECTOR_LOCK_TTL_SECONDS: '3', COLLECTOR_INTERVALS: 'events=30',
    });
    const flaps = (): Promise<Map<string, number>> => flapsByPort(store, sim.orgId);
    const transitions = (): Promise<Map<string, number>> => transitionsByPort(sim);
    // The reader: every 100 ms, every family's snapshot against its metadata, and every counter against its past.
    const seen = new Map<string, number>();
    const problems: string[] = [];
    let reads = 0;
    let reading = true;
    const check = async (): Promise<void> => {
      for (const key of await store.listFamilies()) {
        const meta = await store.readMeta(key);
        const snap = await store.readSnapshot(key);
        if (!meta || !snap || meta.generation !== snap.generation) continue;
        const records = snap.pages.reduce((n, p) => n + (JSON.parse(p) as unknown[]).length, 0);
        if (snap.pages.length !== meta.pages || records !== meta.recordsKept) problems.push(`torn ${key.family} ${snap.generation}: ${records}/${meta.recordsKept} records`);
      }
      for (const group of GROUPS) {
        for (const [field, v] of Object.entries(await store.readCounters(group))) {
          const k = `${group} ${field}`;
          if ((seen.get(k) ?? 0) > v) problems.push(`counter went back: ${k} ${seen.get(k)} → ${v}`);
          seen.set(k, Math.max(v, seen.get(k) ?? 0));
        }
      }
      reads += 1;
    };
    const readerLoop = (async () => {
      while (reading) {
        await check().catch((err: unknown) => void problems.push(`read failed: ${String(err)}`));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    /** Waits for a collector process to log that it became the active one. */
    const becomesActive = (p: CliProcess): Promise<string> => p.waitForLine(/became the active collector/, 30_000);
    /** The first of the processes standing by to become active (any may win the lock). */
    const firstActive = (ps: readonly CliProcess[]): Promise<CliProcess> =>
      until('a standby becomes active', async () => ps.find((p) => p.lines.some((l) => l.includes('became the active collector'))), (p) => p !== undefined, 30_000) as Promise<CliProcess>;
    /** A walk in progress (of `only`, or any family): a staged generation that is not the current one. */
    const midWalk = async (only?: string): Promise<string | null> => {
      for (const key of await store.listFamilies()) {
        if (only !== undefined && key.family !== only) continue;
        const staged = await store.staging(key);
        const current = (await store.readMeta(key))?.generation;
        if (staged && staged.generation !== current) return `${key.family} (${staged.pages} pages staged)`;
      }
      return null;
    };
    try {
      // Every Mist call takes 40 ms more, so a round of every family takes a while: there is a "mid-round".
      await sim.admin('POST', '/__sim/faults', { kind: 'latency', latency_ms: 40, match: '/api/v1/orgs/' });
      // …and the events walk (the last of a round, the one that counts flaps) 300 ms more per page.
      await sim.admin('POST', '/__sim/faults', { kind: 'latency', latency_ms: 300, match: '/devices/events/search' });
      let n = 0;
      let active = collector(n++);
      await becomesActive(active);
      let standby = collector(n++);
      await standby.waitForLine(/collection planned/, 30_000);
      // The first events walk counts no history: flap counters start at 0 at the truth of now (T0).
      await until('the first events cycle', flaps, (f) => f.size === sim.sim.org.wanPorts.length);
      const t0 = await transitions();
      const kills: string[] = [];
      let becameAt = Date.now();
      await sim.admin('POST', '/__sim/advance', { seconds: 180 });
      for (const moment of ['idle', 'mid-walk', 'random']) {
        // idle: between cycles; mid-walk: a new leader starts with a round of every family, killed while one of
        // its walks is staged; random: at a random moment of that round (printed, to reproduce a failure).
        if (moment === 'idle') kills.push('idle');
        if (moment === 'mid-walk') kills.push(`mid-walk: ${await until('the events walk is in progress', () => midWalk(EVENTS), (w) => w !== null, 30_000)}`);
        if (moment === 'random') {
          const ms = Math.floor(Math.random() * 2_000);
          await new Promise((r) => setTimeout(r, Math.max(0, becameAt + ms - Date.now())));
          kills.push(`random: ${ms} ms after it became active, ${(await midWalk()) ?? 'no walk staged'}`);
        }
        await active.kill('SIGKILL');
        // Simulated minutes pass while no collector is active: ports flap (three of them for sure), events happen.
        for (const site of sim.sim.org.sites.slice(kills.length * 3, kills.length * 3 + 3)) {
          expect((await sim.admin('POST', '/__sim/incidents', { kind: 'flap', site_id: site.id })).status).toBe(201);
        }
        await sim.admin('POST', '/__sim/advance', { seconds: 180 });
        // A replacement is started; one of the two standing by takes over and starts with a full round.
        const replacement = collector(n++);
        active = await firstActive([standby, replacement]);
        becameAt = Date.now();
        standby = active === standby ? replacement : standby;
      }
      // The last leader's round counts what the killed ones did not publish: exactly the truth since T0.
      const t = await transitions();
      const since = new Map([...t].map(([k, v]) => [k, v - t0.get(k)!]));
      const nonZero = (m: Map<string, number>): Record<string, number> => Object.fromEntries([...m].filter(([, v]) => v !== 0).sort());
      expect(Object.keys(nonZero(since)).length, 'ports flapped meanwhile').toBeGreaterThan(0);
      const counted = await until('flap counters equal the truth', flaps,
        (f) => [...since].every(([k, v]) => (f.get(k) ?? 0) === v), 60_000).catch(async () => flaps());
      expect(nonZero(counted)).toEqual(nonZero(since));
      reading = false;
      await readerLoop;
      await check();
      expect(problems).toEqual([]);
      expect(reads).toBeGreaterThan(20);
      const total = [...since.values()].reduce((a, b) => a + b, 0);
      console.log(`chaos: 3 kills (${kills.join('; ')}); ${reads} reader passes, no torn generation, no counter back; ${total} flaps counted exactly once`);
    } finally {
      reading = false;
      await readerLoop.catch(() => undefined);
      await store.close();
      await deleteKeys(redis, prefix);
    }
  }, 180_000);

  it('an exporter replica killed and restarted under scrape load: the other answers every scrape, the restarted one serves the same data once it listens', async () => {
    const prefix = uniquePrefix('exporter-restart');
    const store = new RedisStore({ url: inject('redisUrl'), prefix }, captureLog('warn').log);
    await collectOnce(sim, store, captureLog('error').log);
    const exporter = (port: number): CliProcess => start(['exporter'], {
      STORE_KEY_PREFIX: prefix, EXPORTER_HOST: '127.0.0.1', EXPORTER_PORT: String(port), EXPORTER_REFRESH_SECONDS: '1',
    });
    const [portA, portB] = [await freePort(), await freePort()];
    const urlA = `http://127.0.0.1:${portA}`;
    const urlB = `http://127.0.0.1:${portB}`;
    try {
      const a = exporter(portA);
      let b = exporter(portB);
      await Promise.all([a.waitForLine(/serving http/, 30_000), b.waitForLine(/serving http/, 30_000)]);
      const names = (text: string): string => [...new Set(text.split('\n').filter((l) => l.startsWith('# TYPE mist_')).map((l) => l.split(' ')[2]))].sort().join(',');
      const baseline = names(await (await fetch(`${urlA}/metrics`)).text());
      expect(baseline.split(',').length).toBeGreaterThan(40);

      type Scrape = { target: 'A' | 'B'; at: number; status: number; complete: boolean; error?: string };
      const scrapes: Scrape[] = [];
      let scraping = true;
      const scraper = async (target: 'A' | 'B'): Promise<void> => {
        while (scraping) {
          const at = Date.now();
          try {
            const res = await fetch(`${target === 'A' ? urlA : urlB}/metrics`, { headers: { 'accept-encoding': 'gzip' }, signal: AbortSignal.timeout(10_000) });
            const text = await res.text();
            scrapes.push({ target, at, status: res.status, complete: names(text) === baseline });
          } catch (err) {
            scrapes.push({ target, at, status: -1, complete: false, error: String((err as Error).cause ?? err) });
            await new Promise((r) => setTimeout(r, 20));
          }
        }
      };
      const scrapers = [...Array.from({ length: 4 }, () => scraper('A')), ...Array.from({ length: 4 }, () => scraper('B'))];
      await new Promise((r) => setTimeout(r, 1_500));
      const killedAt = Date.now();
      await b.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 500));
      b = exporter(portB);
      await b.waitForLine(/serving http/, 30_000);
      const listeningAt = Date.now();
      await new Promise((r) => setTimeout(r, 1_500));
      scraping = false;
      await Promise.all(scrapers);

      const ofA = scrapes.filter((s) => s.target === 'A');
      const ofB = scrapes.filter((s) => s.target === 'B');
      expect(ofA.length).toBeGreaterThan(20);
      expect(ofA.filter((s) => s.status !== 200 || !s.complete), 'replica A: every scrape 200 and complete').toEqual([]);
      // B fails only while it is dead (or in flight at the kill); every answer it gives is complete (it listens only
      // once it has read the store).
      expect(ofB.filter((s) => s.status !== 200 && (s.at < killedAt - 1_000 || s.at > listeningAt)), 'replica B fails only between kill and restart').toEqual([]);
      expect(ofB.filter((s) => s.status === 200 && !s.complete), 'replica B never serves a partial 200').toEqual([]);
      const afterRestart = ofB.filter((s) => s.at > listeningAt && s.status === 200);
      expect(afterRestart.length).toBeGreaterThan(5);
      // The same data: every data family's body is the same bytes on both replicas.
      for (const family of FAMILY_NAMES) {
        const [x, y] = await Promise.all([urlA, urlB].map(async (u) => (await fetch(`${u}/metrics?family=${family}`)).text()));
        expect(y, family).toBe(x);
      }
      const failed = ofB.filter((s) => s.status !== 200);
      console.log(`exporter restart: A answered ${ofA.length}/${ofA.length} scrapes; B ${ofB.length - failed.length}/${ofB.length} (${failed.length} refused while dead, ${listeningAt - killedAt} ms from kill to listening again, ${afterRestart.length} complete after)`);
    } finally {
      await store.close();
      await deleteKeys(redis, prefix);
    }
  }, 120_000);
});
