import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FamilyPriority } from '../../src/collect/family.js';
import { planCommand } from '../../src/cli/plan.js';
import { FAMILIES } from '../../src/families/registry.js';
import type { CliIo } from '../../src/cli/types.js';
import { httpGet, parseSamples, samplesOf } from '../support/exporter-harness.js';
import { startFastPipeline, type FastPipeline } from '../support/fast-pipeline.js';
import { captureLog } from '../support/redis-store.js';

/**
 * Collection profiles under a tiny budget, end to end: the simulator over real HTTP (400 sites, its own hourly
 * rate limit at MIST_RATE_LIMIT), the real collector (prepareCollector + runCollector: plan, scheduler) into real
 * Redis, and an exporter; time compressed 40× (tests/support/fast-pipeline.ts: every planned interval × 1/40).
 *
 * The configuration asks for VPN path quality, SLE and alarms every 30 s and the availability families every 2
 * minutes (gateways 4, sites hourly): about 2.8 times what 80% of 480 calls/hour pays for. One factor for every interval (the
 * plan before tiers) would have made availability data 2.8 times staler than configured; the tiers stretch the
 * standard families instead (×3.7, within their ×4 bound) and keep availability as configured.
 */
const TIME_SCALE = 1 / 40;
const LIMIT = 480;
const INTERVALS = 'wan-ports=120,circuits=120,gateways=240,events=120,vpn-peers=30,sle=30,alarms=30';
const SITES = 400;
/** Wall seconds the freshness and the calls are watched for, once every family has published (10 simulated minutes). */
const WINDOW_S = 15;

const namesOf = (tier: FamilyPriority): string[] => FAMILIES.filter((f) => f.priority === tier).map((f) => f.name);
const AVAILABILITY = namesOf('availability');
const STANDARD = namesOf('standard');
/** The simulator's routes an availability-profile collector may call: start-up checks and the availability families' endpoints. */
const AVAILABILITY_ROUTES = [
  '/api/v1/self', '/api/v1/self/usage', '/api/v1/orgs/:org_id/sites', '/api/v1/orgs/:org_id/sitegroups', '/api/v1/orgs/:org_id/inventory',
  '/api/v1/orgs/:org_id/stats/devices', '/api/v1/orgs/:org_id/stats/ports/search', '/api/v1/orgs/:org_id/devices/events/search',
];

type Calls = { total: number; rate_limited: number; by_route: Record<string, number> };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `plan` in-process on the pipeline's configuration; its stdout and exit code. */
async function runPlan(p: FastPipeline): Promise<{ code: number; out: string }> {
  let out = '';
  const io: CliIo = { stdout: (t) => void (out += t), stderr: (t) => void (out += t), waitForShutdown: () => new Promise<string>(() => undefined) };
  const code = await planCommand.run({}, { config: p.config, log: captureLog('fatal').log, io });
  return { code, out };
}

/** Waits until every family of `names` has published for the org (at most `timeoutMs`). */
async function published(p: FastPipeline, names: readonly string[], timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const metas = await Promise.all(names.map((family) => p.store.readMeta({ orgId: p.sim.orgId, family })));
    if (metas.every((m) => m?.lastSuccess != null)) return;
    if (Date.now() > until) throw new Error(`not published within ${timeoutMs} ms: ${names.filter((_, i) => metas[i]?.lastSuccess == null).join(', ')}`);
    await sleep(100);
  }
}

describe('a tiny budget, profile full: lower tiers stretched first, availability data stays fresh', () => {
  let p: FastPipeline;
  const log = captureLog('error');
  /** Per family: the largest age (wall ms) its last success reached, and the distinct successes seen. */
  const maxAge = new Map<string, number>();
  const successes = new Map<string, Set<number>>();
  let calls: Calls;
  let simSeconds = 0;

  beforeAll(async () => {
    p = await startFastPipeline({
      redisUrl: inject('redisUrl'), timeScale: TIME_SCALE, log: log.log, sim: { sites: SITES, rateLimit: LIMIT },
      env: { MIST_RATE_LIMIT: String(LIMIT), COLLECTOR_INTERVALS: INTERVALS },
    });
    await published(p, [...AVAILABILITY, ...STANDARD]);
    await p.sim.admin('DELETE', '/__sim/calls');
    const simStart = p.sim.sim.clock.now();
    const end = Date.now() + WINDOW_S * 1000;
    while (Date.now() < end) {
      for (const family of [...AVAILABILITY, ...STANDARD]) {
        const meta = await p.store.readMeta({ orgId: p.sim.orgId, family });
        const last = meta!.lastSuccess!;
        maxAge.set(family, Math.max(maxAge.get(family) ?? 0, Date.now() - last));
        successes.set(family, (successes.get(family) ?? new Set<number>()).add(last));
      }
      await sleep(100);
    }
    calls = (await p.sim.admin<Calls>('GET', '/__sim/calls')).body;
    simSeconds = p.sim.sim.clock.now() - simStart;
  }, 90_000);

  afterAll(async () => {
    await p?.close();
  });

  it('plans availability as configured and the standard tier stretched (the configuration needs it)', () => {
    const plan = p.collector!.plan;
    const tier = (t: FamilyPriority) => plan.tiers.find((x) => x.tier === t)!;
    // Preconditions of the freshness check below: one factor for all would have stretched by well over 2.
    expect(plan.requestedPerHour / plan.allowedPerHour).toBeGreaterThan(2.3);
    expect(tier('availability').stretch).toBe(1);
    expect(tier('standard').stretch).toBeGreaterThan(2.3);
    expect(tier('standard').stretch).toBeLessThanOrEqual(4);
    const configured = p.config.collector.intervals;
    for (const job of p.collector!.jobs) {
      const name = job.family.name;
      // Availability as configured; budgeted families (sle-details) free nothing by waiting: never stretched.
      const want = AVAILABILITY.includes(name) || job.family.budgeted === true
        ? (configured[name] ?? job.family.defaultIntervalSeconds)
        : Math.ceil((configured[name] ?? job.family.defaultIntervalSeconds) * tier('standard').stretch);
      expect(job.intervalSeconds, name).toBeCloseTo(want * TIME_SCALE, 9);
    }
  });

  it('keeps every availability family fresh: its last success never older than 2× its configured interval', () => {
    for (const family of AVAILABILITY) {
      const interval = (p.config.collector.intervals[family] ?? FAMILIES.find((f) => f.name === family)!.defaultIntervalSeconds) * TIME_SCALE * 1000;
      // Several cycles each (sites: one an hour, so its first one only).
      if (family !== 'sites') expect(successes.get(family)!.size, family).toBeGreaterThanOrEqual(Math.floor((WINDOW_S * 1000) / (2 * interval)));
      expect(maxAge.get(family), family).toBeLessThanOrEqual(2 * interval);
    }
  });

  it('runs the standard families at their stretched intervals: the metadata, the self-metric and the cadence say so', async () => {
    const jobs = new Map(p.collector!.jobs.map((j) => [j.family.name, j.intervalSeconds]));
    const text = (await httpGet(`${p.exporters[0]!.url}/metrics`)).body.toString('utf8');
    const exported = new Map(samplesOf(parseSamples(text), 'mist_collector_interval_seconds').map((s) => [s.labels.family!, s.value]));
    for (const family of [...AVAILABILITY, ...STANDARD]) {
      const meta = await p.store.readMeta({ orgId: p.sim.orgId, family });
      expect(meta!.intervalSeconds, family).toBeCloseTo(jobs.get(family)!, 9);
      expect(exported.get(family), family).toBeCloseTo(jobs.get(family)!, 6);
    }
    for (const family of ['vpn-peers', 'sle', 'alarms']) {
      const configured = p.config.collector.intervals[family]! * TIME_SCALE;
      expect(jobs.get(family)!, family).toBeGreaterThan(2.3 * configured);
      // At the configured 30 s it would have published ~20 times in the window; stretched, at most one per interval.
      expect(successes.get(family)!.size, family).toBeLessThanOrEqual(Math.ceil(WINDOW_S / jobs.get(family)!) + 1);
    }
  });

  it('stays within the budget: the simulator saw no more calls per hour than the plan allows', () => {
    const plan = p.collector!.plan;
    // One cycle of every family of slack for the window's edges.
    const oneRound = plan.rows.reduce((s, r) => s + r.callsPerCycle, 0) + Object.values(plan.budgets).reduce((s, n) => s + n, 0);
    expect(calls.rate_limited).toBe(0);
    expect(calls.total).toBeGreaterThan(0);
    expect(calls.total).toBeLessThanOrEqual((plan.allowedPerHour * simSeconds) / 3600 + oneRound);
  });

  it('`plan` for this configuration prints each tier\'s stretch, the moved intervals and why', async () => {
    const { code, out } = await runPlan(p);
    expect(code).toBe(0);
    expect(out).toMatch(/^profile: full \(COLLECTOR_PROFILE\)/m);
    expect(out).toMatch(/^ {2}availability\s+sites, gateways, wan-ports, circuits, events\s+as configured \(bound ×4\)/m);
    expect(out).toMatch(/^ {2}standard\s+org, vpn-peers, sle, alarms\s+stretched ×3\.\d\d \(bound ×4\)/m);
    expect(out).toMatch(/^stretched: the configured intervals need [\d,]+ calls\/hour, over the 384 allowed$/m);
    expect(out).toMatch(/^ {2}standard ×3\.\d\d: org 3600 s → \d+ s, vpn-peers 30 s → 1\d\d s, sle 30 s → 1\d\d s, alarms 30 s → 1\d\d s$/m);
    expect(out).toContain('  kept at their configured intervals: availability');
    expect(out).toMatch(/^\S.*\s+wan-ports\s+availability\s+\d+\s+120\s+-\s/m);
  });
});

describe('profile availability: the lower tiers are not collected at all', () => {
  let p: FastPipeline;
  const log = captureLog('warn');

  beforeAll(async () => {
    p = await startFastPipeline({
      redisUrl: inject('redisUrl'), timeScale: TIME_SCALE, log: log.log, sim: { sites: SITES, rateLimit: LIMIT },
      env: { MIST_RATE_LIMIT: String(LIMIT), COLLECTOR_PROFILE: 'availability' },
    });
    await published(p, AVAILABILITY);
    // A few more cycles of the fast families (wan-ports, events, circuits: 1.5 s each here).
    await sleep(4000);
  }, 60_000);

  afterAll(async () => {
    await p?.close();
  });

  it('makes no call to a lower tier\'s endpoint, not even a size probe: the simulator\'s request log', async () => {
    const calls = (await p.sim.admin<Calls>('GET', '/__sim/calls')).body;
    expect(Object.keys(calls.by_route).filter((r) => !AVAILABILITY_ROUTES.includes(r))).toEqual([]);
    expect(calls.by_route['/api/v1/orgs/:org_id/stats/ports/search']).toBeGreaterThan(2);
    expect(calls.by_route['/api/v1/orgs/:org_id/devices/events/search']).toBeGreaterThanOrEqual(2);
  });

  it('has no job, plan row or store entry for them, and circuits does without vpn-peers quietly', async () => {
    expect(new Set(p.collector!.jobs.map((j) => j.family.name))).toEqual(new Set(AVAILABILITY));
    expect(p.collector!.plan.excluded.map((e) => e.family).sort()).toEqual(FAMILIES.filter((f) => f.priority !== 'availability').map((f) => f.name).sort());
    expect(new Set((await p.store.listFamilies()).map((k) => k.family))).toEqual(new Set(AVAILABILITY));
    expect(log.lines.filter((l) => l.includes('no vpn-peers snapshot'))).toEqual([]);
  });

  it('retires what a larger profile left in the store when it takes over: no series or freshness served for it, its state kept', async () => {
    const key = { orgId: p.sim.orgId, family: STANDARD[STANDARD.length - 1]! };
    const lastSuccessOf = async (): Promise<number[]> => {
      const text = (await httpGet(`${p.exporters[0]!.url}/metrics`)).body.toString('utf8');
      return samplesOf(parseSamples(text), 'mist_collector_last_success_timestamp_seconds').filter((x) => x.labels.family === key.family).map((x) => x.value);
    };
    await p.collector!.stop();
    // What a collector with profile full left behind (its metadata has no TTL), written as it publishes.
    const ttl = 600_000;
    const at = Date.now();
    await p.store.beginGeneration(key, 'left-behind', ttl);
    await p.store.putPage(key, 'left-behind', 0, '[]', { cursor: null, recordsKept: 0, recordsDropped: 0 }, ttl);
    await p.store.publish(key, 'left-behind', 1, { lastAttempt: at, lastSuccess: at, durationMs: 1, recordsKept: 0, recordsDropped: 0, pages: 1, calls: 1, intervalSeconds: 600 }, ttl, '{"cursor":"kept"}');
    let served: number[];
    for (const until = Date.now() + 10_000; (served = await lastSuccessOf()).length === 0 && Date.now() < until;) await sleep(200);
    expect(served, `the exporter serves the ${key.family} freshness left behind`).toHaveLength(1);

    await p.startCollector();
    for (const until = Date.now() + 15_000; (served = await lastSuccessOf()).length > 0 && Date.now() < until;) await sleep(200);
    expect(served, `the ${key.family} freshness is no longer served once an availability collector took over`).toEqual([]);
    expect((await p.store.listFamilies()).map((k) => k.family)).not.toContain(key.family);
    expect(await p.store.readMeta(key)).toBeNull();
    expect(await p.store.readState(key), 'its state stays: a larger profile later resumes from it').toBe('{"cursor":"kept"}');
    expect(new Set((await p.store.listFamilies()).map((k) => k.family))).toEqual(new Set(AVAILABILITY));
  }, 40_000);
});
