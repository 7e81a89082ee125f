import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { redisProblem } from '../../src/cli/checks.js';
import { prepareCollector, runCollector } from '../../src/collect/collector.js';
import type { Config } from '../../src/config/index.js';
import { FAMILIES } from '../../src/families/registry.js';
import { startExporter, type RunningExporter } from '../../src/server/exporter.js';
import { API_REQUESTS } from '../../src/store/counters.js';
import { createStore, type Store } from '../../src/store/index.js';
import { exporterConfig, httpGet, parseSamples, samplesOf } from '../support/exporter-harness.js';
import { captureLog, uniquePrefix } from '../support/redis-store.js';
import { sentinelConf, startSentinelRig, until, type SentinelRig } from '../support/redis-sentinel.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';
import { flapsByPort, transitionsByPort } from '../support/truth.js';

/**
 * Redis high availability, proven on the real thing: a master, a replica and three Sentinels (Debian's
 * redis-server and redis-sentinel), two collectors (one active) and an exporter, all through Sentinel, the
 * simulator over HTTP. The master is killed (SIGKILL) while a wan-ports generation is being staged and while
 * replication lags (the replica's link halted: the writes the master acknowledged since are exactly what the
 * failover loses). Afterwards: no torn generation was ever served, the API call counters equal the calls the
 * simulator served and the flap counters its transitions (no increment lost, none twice), one lock holder, the
 * exporter answered /metrics throughout; the takeover time is measured and printed.
 */
describe('Redis Sentinel failover (real master, replica and three Sentinels)', () => {
  it('docs/store.md shows the sentinel.conf this rig runs, for a production host', () => {
    const doc = readFileSync(new URL('../../docs/store.md', import.meta.url), 'utf8');
    expect(doc).toContain(`\`\`\`conf\n${sentinelConf({ port: 26379, bind: '10.0.0.11', dir: '/var/lib/redis', masterHost: '10.0.0.1', masterPort: 6379, downAfterMs: 5000, failoverTimeoutMs: 30000 })}\`\`\``);
  });

  let rig: SentinelRig | undefined;
  let sim: TestSim | undefined;
  const cleanups: (() => Promise<unknown>)[] = [];

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await sim?.close();
    await rig?.stop();
  });

  it('master killed mid-cycle with replication lagging: no torn generation, no lost counter increment, one lock holder, the exporter serves throughout', async () => {
    // The Sentinels have a password (REDIS_SENTINEL_PASSWORD): it must appear in no log line and no error.
    const sentinelPassword = 'sentinel-secret-4711';
    rig = await startSentinelRig({ sentinelPassword });
    const logs: string[][] = [];
    const logOf = (level: string) => {
      const captured = captureLog(level);
      logs.push(captured.lines);
      return captured;
    };
    const tokens = ['token-of-collector-a', 'token-of-collector-b'];
    // The simulated clock nearly frozen: only /__sim/advance moves it, so the truth read after a cycle is the
    // truth that cycle saw. 1,000 sites: wan-ports is 5 pages, something to kill in the middle of.
    sim = await startTestSim({ sites: 1000, tokens, speed: 0.001 });
    const s = sim;
    const prefix = uniquePrefix('sentinel');
    const env = {
      // Through Sentinel: REDIS_URL names the master (not dialled) and gives the db; no password here.
      REDIS_URL: `redis://${rig.masterName}/0`, REDIS_SENTINELS: rig.sentinelList, REDIS_SENTINEL_MASTER: rig.masterName,
      REDIS_SENTINEL_PASSWORD: sentinelPassword, STORE_KEY_PREFIX: prefix, STORE_COMMAND_TIMEOUT_SECONDS: '2', COLLECTOR_LOCK_TTL_SECONDS: '3', EXPORTER_REFRESH_SECONDS: '1',
    };
    const configOf = (token: string): Config => exporterConfig(s, { ...env, MIST_API_TOKENS: token });
    const storeOf = (config: Config): Store => {
      const store = createStore({ url: config.redis.url, sentinel: config.redis.sentinel, waitReplicas: config.redis.waitReplicas,
        prefix: config.store.keyPrefix, commandTimeoutMs: config.store.commandTimeoutMs }, logOf('debug').log);
      cleanups.push(() => store.close());
      return store;
    };
    const probe = storeOf(configOf(tokens[0]!));
    // The start-up check asks the Sentinels too: the master answers; a wrong master name is one clear line.
    const sentinel = configOf(tokens[0]!).redis.sentinel!;
    expect(await redisProblem(env.REDIS_URL, 2_000, sentinel)).toBeUndefined();
    expect(await redisProblem(env.REDIS_URL, 2_000, { ...sentinel, masterName: 'nope' }))
      .toMatch(new RegExp(`^REDIS_SENTINELS: cannot reach master "nope" through the Sentinels ${rig.sentinelList}: `));
    const refused = await redisProblem(env.REDIS_URL, 2_000, { ...sentinel, password: `${sentinelPassword}-wrong` });
    expect(refused).toMatch(/^REDIS_SENTINELS: cannot reach master "mist" through the Sentinels .*(WRONGPASS|invalid|password)/i);
    expect(refused).not.toContain(sentinelPassword);
    const ports = { orgId: s.orgId, family: 'wan-ports' };
    const truthPorts = s.sim.org.wanPorts.length;

    // Two collectors, in this process, each with its own store connection; wan-ports every 5 s, events every 2 s.
    const families = FAMILIES.filter((f) => f.name === ports.family || f.name === 'events');
    const collectors = await Promise.all(tokens.map(async (token, i) => {
      const config = configOf(token);
      const store = storeOf(config);
      const captured = logOf('info');
      const prepared = await prepareCollector(config, captured.log, { store, families });
      const jobs = prepared.jobs.map((j) => ({ ...j, intervalSeconds: j.family.name === ports.family ? 5 : 2 }));
      const stop = new AbortController();
      const running = runCollector({ ...prepared, jobs }, config, captured.log, stop.signal);
      cleanups.push(async () => {
        stop.abort();
        await running.catch(() => undefined);
        await prepared.api.close();
      });
      return { name: i === 0 ? 'A' : 'B', store, prepared, lines: captured.lines };
    }));
    const exporterConfigAll = configOf(tokens[0]!);
    const exporter: RunningExporter = await startExporter(storeOf(exporterConfigAll), exporterConfigAll, logOf('debug').log);
    cleanups.push(() => exporter.close());

    // The first generations, and the flap counters' baseline (the first events walk counts no history).
    await until('wan-ports is published', async () => (await probe.readMeta(ports))?.recordsKept === truthPorts, 30_000);
    await until('every WAN port has a flap counter', async () => (await flapsByPort(probe, s.orgId)).size === truthPorts, 30_000);
    const t0 = await transitionsByPort(s);

    // The exporter is polled from now to the end: every answer must be 200 and hold all the ports (none only
    // before its first rendering).
    const polls = { ok: 0, failed: 0, torn: [] as string[], full: 0, gaps: [] as number[] };
    let polling = true;
    const poller = (async () => {
      while (polling) {
        try {
          const res = await httpGet(`${exporter.url}/metrics?family=${ports.family}`);
          if (res.status !== 200) polls.failed += 1;
          else {
            polls.ok += 1;
            const n = res.text.match(/^mist_wan_port_up\{/gm)?.length ?? 0;
            if (n === truthPorts) polls.full += 1;
            else if (n === 0 && polls.full > 0) polls.gaps.push(Date.now());
            else if (n !== 0) polls.torn.push(`${n} of ${truthPorts} ports`);
          }
        } catch {
          polls.failed += 1;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    })();

    // Mid-cycle: the ports walk slowed to 1 s a page, killed once 2 of its 5 pages are staged.
    const before = (await probe.readMeta(ports))!;
    await s.admin('POST', '/__sim/faults', { kind: 'latency', latency_ms: 1000, match: '/stats/ports/search' });
    await until('a new wan-ports generation has 2 pages staged', async () => {
      const staged = await probe.staging(ports);
      return staged !== null && staged.generation !== before.generation && staged.pages >= 2;
    }, 30_000);
    // Replication lags from here: what the master acknowledges now is not on the replica yet.
    rig.replicationLink.halt();
    await s.admin('POST', '/__sim/advance', { seconds: 120 });
    // API calls made and counted meanwhile: a flush the master acknowledges (without the fix) or the replica never
    // confirms (with it: kept and replayed under the same id).
    const leader = collectors.find((c) => c.lines.some((l) => l.includes('became the active collector')))!;
    await leader.prepared.callStats.flush(leader.store).catch(() => undefined);
    const stagedAtKill = await probe.staging(ports);
    await rig.master.stop('SIGKILL');
    const killedAt = Date.now();
    expect(stagedAtKill?.pages ?? 0, 'killed while wan-ports was being staged').toBeLessThan(before.pages!);
    await s.admin('DELETE', '/__sim/faults');

    // Takeover: the Sentinels promote the replica, a collector publishes on it, the exporter serves that.
    await until('the Sentinels promoted the replica', async () => (await rig!.masterPort()) === rig!.replica.port, 30_000);
    const promoted = Date.now() - killedAt;
    await until('wan-ports is published on the new master', async () => ((await probe.readMeta(ports).catch(() => null))?.lastSuccess ?? 0) > killedAt, 30_000);
    const published = Date.now() - killedAt;
    await until('the exporter serves the new generation', async () => {
      const res = await httpGet(`${exporter.url}/metrics?family=exporter`).catch(() => null);
      const ts = samplesOf(parseSamples(res?.text ?? ''), 'mist_collector_last_success_timestamp_seconds').find((x) => x.labels.family === ports.family);
      return (ts?.value ?? 0) * 1000 > killedAt;
    }, 30_000);
    const served = Date.now() - killedAt;

    // No lost (or doubled) flap: every port's counter is the truth's transitions since the baseline, the ones the
    // dead master acknowledged included.
    const since = async (): Promise<Record<string, number>> => {
      const now = await transitionsByPort(s);
      return Object.fromEntries([...now].map(([k, n]) => [k, n - t0.get(k)!]).filter(([, n]) => n !== 0).sort());
    };
    const counted = async (): Promise<Record<string, number>> =>
      Object.fromEntries([...(await flapsByPort(probe, s.orgId))].filter(([, n]) => n !== 0).sort());
    const truthFlaps = await since();
    expect(Object.keys(truthFlaps).length, 'ports flapped across the failover').toBeGreaterThan(0);
    let lastFlaps: Record<string, number> = {};
    await until('the flap counters equal the truth', async () => {
      lastFlaps = await counted();
      return JSON.stringify(lastFlaps) === JSON.stringify(truthFlaps);
    }, 30_000).catch(() => undefined);
    expect(lastFlaps).toEqual(truthFlaps);

    // No lost (or doubled) API call: at a quiet moment the counters equal every call the simulator served.
    const served$ = async (): Promise<number> => (await s.admin<{ total: number }>('GET', '/__sim/calls')).body.total;
    let calls = { counted: 0, served: 0 };
    await until('the API call counters equal the calls served', async () => {
      for (const c of collectors) await c.prepared.callStats.flush(c.store).catch(() => undefined);
      const total = Object.values(await probe.readCounters(API_REQUESTS)).reduce((a, b) => a + b, 0);
      calls = { counted: total, served: await served$() };
      return calls.counted === calls.served;
    }, 15_000).catch(() => undefined);
    expect(calls.counted, 'API calls counted vs served by the simulator').toBe(calls.served);

    // One lock holder: the org's lock (src/store/org-locks.ts: {"owner","orgs"}) names one of the two collectors,
    // and their leaderships never overlapped.
    const raw = rig.client(rig.replica.port);
    let holder: string | null = null;
    await until('a collector holds the lock', async () => {
      const value = await raw.get(`${prefix}lock:collector:${s.orgId}`);
      holder = value === null ? null : (JSON.parse(value) as { owner: string }).owner;
      return holder !== null;
    }, 10_000);
    const terms = collectors.map((c) => leadership(c.lines));
    const holderName = collectors.find((c) => ownerOf(c.lines) === holder)?.name;
    expect(holderName, `the lock (${holder}) is held by one of the collectors`).toBeDefined();
    for (const a of terms[0]!) for (const b of terms[1]!) expect(a.end <= b.start || b.end <= a.start, `A ${JSON.stringify(a)} vs B ${JSON.stringify(b)}`).toBe(true);

    // The generation now served is complete and matches the truth.
    const snap = (await probe.readSnapshot(ports))!;
    const meta = (await probe.readMeta(ports))!;
    expect(snap.generation).toBe(meta.generation);
    expect(snap.pages).toHaveLength(meta.pages!);
    const records = snap.pages.flatMap((p) => JSON.parse(p) as { mac: string; port_id: string }[]);
    expect(new Set(records.map((r) => `${r.mac}|${r.port_id}`))).toEqual(new Set((await transitionsByPort(s)).keys()));

    polling = false;
    await poller;
    const lines = logs.flat();
    expect(lines.length).toBeGreaterThan(10);
    expect(lines.filter((l) => l.includes(sentinelPassword))).toEqual([]);
    expect(polls.torn, 'no torn generation served').toEqual([]);
    expect(polls.failed, '/metrics answered throughout').toBe(0);
    expect(polls.gaps.map((t) => t - killedAt), 'the ports were served throughout (ms from the kill of answers without them)').toEqual([]);
    expect(polls.full).toBeGreaterThan(10);
    console.log(`sentinel failover: master killed mid-cycle (${stagedAtKill?.pages} of ${before.pages} pages staged); replica promoted after ${promoted} ms, `
      + `collector published on it after ${published} ms, exporter served it after ${served} ms; /metrics ${polls.ok} answers, ${polls.failed} failed, `
      + `${polls.full} with every port, 0 torn, 0 without; API calls ${calls.counted} counted = ${calls.served} served; `
      + `flaps ${Object.values(truthFlaps).reduce((a, b) => a + b, 0)} counted as the truth says; lock held by ${holderName}`);
  }, 120_000);
});

/** The owner id a collector's log names when it became active (null: it never did). */
function ownerOf(lines: readonly string[]): string | null {
  for (const line of lines) {
    const l = JSON.parse(line) as { msg?: string; owner?: string };
    if (l.msg === 'became the active collector' && l.owner) return l.owner;
  }
  return null;
}

/** A collector's terms as leader from its log: [became active, lost the lock or the end]. */
function leadership(lines: readonly string[]): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (const line of lines) {
    const l = JSON.parse(line) as { msg?: string; time?: string };
    const at = Date.parse(l.time ?? '');
    if (l.msg === 'became the active collector') out.push({ start: at, end: Number.POSITIVE_INFINITY });
    else if (l.msg === 'lost the collector lock; standing by' && out.length > 0) out[out.length - 1]!.end = at;
  }
  return out;
}
