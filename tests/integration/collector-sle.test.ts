import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { prepareCollector, type PreparedCollector } from '../../src/collect/collector.js';
import { runCycle, type CycleDeps } from '../../src/collect/cycle.js';
import { sleDetailsFamily } from '../../src/families/sle-details/index.js';
import { WAN_SLES } from '../../src/families/sle/collect.js';
import { sleFamily } from '../../src/families/sle/index.js';
import type { Family } from '../../src/collect/family.js';
import type { SleRecord } from '../../src/families/sle/records.js';
import type { SleDetailsRecord } from '../../src/families/sle-details/records.js';
import { loadConfig } from '../../src/config/index.js';
import { sleDetailsCatalogue } from '../../src/families/sle-details/catalogue.js';
import { renderFamily } from '../../src/metrics/exposition.js';
import type { Endpoint, MistApi } from '../../src/mist/types.js';
import type { Store } from '../../src/store/types.js';
import { captureLog, redisStoreHarness } from '../support/redis-store.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';
import { advance, force, orgGet, siteTruthOf } from '../support/truth.js';

/**
 * The sle and sle-details families against a 300-site simulator over HTTP, into a real Redis: scores equal the
 * simulator's sites-sle, a forced outage makes its site degraded and deep-dived (classifiers and impacted
 * interfaces/gateways that name the outage), the deep dive never spends more calls than its budget (counted by
 * the simulator), and once the outage leaves the one-hour window the site is no longer polled and its series go.
 */

const SLE_ROUTE = '/api/v1/sites/:site_id/sle/:scope/:scope_id/metric/:metric/';
interface Calls { total: number; by_route: Record<string, number> }

describe('sle and sle-details against the simulator (300 sites)', () => {
  let sim: TestSim;
  let store: Store;
  let prepared: PreparedCollector;
  let cleanup: () => Promise<void>;
  let deps: CycleDeps;
  /** Paths of every single-call (getOne) request the families made, in order. */
  const paths: string[] = [];
  let budget: number;
  let outageSite: string;

  beforeAll(async () => {
    sim = await startTestSim({ sites: 300 });
    const h = await redisStoreHarness(inject('redisUrl'), 'collector-sle');
    store = h.store;
    cleanup = h.cleanup;
    const config = loadConfig({ MIST_API_TOKENS: sim.token, MIST_HOST: sim.url, LOG_LEVEL: 'warn' }, { envFile: '/nonexistent' });
    prepared = await prepareCollector(config, captureLog('warn').log, { store });
    budget = prepared.plan.budgets['sle-details']!;
    const api = prepared.schedulerDeps.api;
    const recording: MistApi = {
      pages: (endpoint, opts) => api.pages(endpoint, opts),
      count: (endpoint, opts) => api.count(endpoint, opts),
      getOne: <T>(endpoint: Endpoint<T>, opts?: { signal?: AbortSignal }) => {
        paths.push(endpoint.path);
        return api.getOne(endpoint, opts);
      },
    };
    deps = { ...prepared.schedulerDeps, api: recording };
    // A healthy site (every score 1, no flappy or congested circuit, not a hub) to force the outage on.
    const rows = (await orgGet<{ results: Record<string, number | string>[] }>(sim, 'insights/sites-sle?sle=wan&duration=1h&limit=1000')).results;
    for (const row of rows) {
      const truth = await siteTruthOf(sim, String(row.site_id));
      if (!truth.is_hub && WAN_SLES.every((s) => row[s] === 1) && truth.circuits.every((c) => !c.flappy_trait && !c.congested_trait)) {
        outageSite = truth.site_id;
        break;
      }
    }
    expect(outageSite).toBeDefined();
  }, 60_000);

  afterAll(async () => {
    await prepared?.api.close();
    await cleanup?.();
    await sim?.close();
  });

  beforeEach(() => {
    paths.length = 0;
  });

  const records = async <T>(family: string): Promise<T[]> => {
    const snap = await store.readSnapshot({ orgId: sim.orgId, family });
    expect(snap, `${family} snapshot`).not.toBeNull();
    return snap!.pages.flatMap((p) => JSON.parse(p) as T[]);
  };
  const cycle = async (family: Family, callBudget?: number): Promise<void> => {
    const r = await runCycle(deps, family, sim.orgId, family.defaultIntervalSeconds, new AbortController().signal, callBudget);
    expect(r, JSON.stringify(r)).toMatchObject({ ok: true, recordsDropped: 0 });
  };
  /** One sle-details cycle, with the simulator's count of the SLE site calls it made (never above the budget). */
  const deepDive = async (callBudget: number): Promise<{ calls: number; records: SleDetailsRecord[] }> => {
    await sim.admin('DELETE', '/__sim/calls');
    await cycle(sleDetailsFamily, callBudget);
    const byRoute = (await sim.admin<Calls>('GET', '/__sim/calls')).body.by_route;
    const calls = Object.entries(byRoute).filter(([route]) => route.startsWith(SLE_ROUTE)).reduce((s, [, n]) => s + n, 0);
    expect(calls).toBeLessThanOrEqual(callBudget);
    expect(calls).toBe(Object.values(byRoute).reduce((s, n) => s + n, 0));
    const out = await records<SleDetailsRecord>('sle-details');
    expect(out.find((r) => r.kind === 'cycle')).toMatchObject({ calls, call_budget: callBudget });
    return { calls, records: out };
  };
  const siteScores = (sle: readonly SleRecord[], site: string): Record<string, number> =>
    Object.fromEntries(sle.flatMap((r) => (r.kind === 'score' && r.site_id === site ? [[r.sle, r.ratio]] : [])));
  const polledPairs = (details: readonly SleDetailsRecord[]): string[] =>
    details.flatMap((r) => (r.kind === 'details' && r.carried_cycles === 0 ? [`${r.site_id}|${r.sle}`] : []));
  /** Degraded pairs of the stored sle snapshot, worst first, computed here rather than by the family. */
  const worstFirst = (sle: readonly SleRecord[]): string[] => sle.flatMap((r) => (r.kind === 'score' && r.ratio < 0.9 ? [r] : []))
    .sort((a, b) => a.ratio - b.ratio || (a.site_id < b.site_id ? -1 : a.site_id > b.site_id ? 1 : 0) || WAN_SLES.indexOf(a.sle as never) - WAN_SLES.indexOf(b.sle as never))
    .map((r) => `${r.site_id}|${r.sle}`);

  it('stores every site\'s scores and counts exactly as the simulator\'s sites-sle reports them, and the worst sites\' ranks', async () => {
    await cycle(sleFamily);
    const sle = await records<SleRecord>('sle');
    const rows = (await orgGet<{ results: Record<string, number | string>[] }>(sim, 'insights/sites-sle?sle=wan&duration=1h&limit=1000')).results;
    expect(rows).toHaveLength(300);
    const expected: SleRecord[] = rows.flatMap((row) => [
      ...WAN_SLES.map((s) => ({ kind: 'score' as const, site_id: String(row.site_id), sle: s, ratio: Number(row[s]) })),
      { kind: 'site' as const, site_id: String(row.site_id), gateways: Number(row.num_gateways), clients: Number(row.num_clients) },
    ]);
    expect(sle.filter((r) => r.kind !== 'worst')).toEqual(expected);
    for (const s of WAN_SLES) {
      const worst = (await orgGet<{ results: { site_id: string }[] }>(sim, `insights/worst-sites-by-sle?sle=${s}&duration=1h`)).results;
      expect(worst.length).toBeGreaterThan(0);
      expect(sle.filter((r) => r.kind === 'worst' && r.sle === s)).toEqual(worst.map((w, i) => ({ kind: 'worst', site_id: w.site_id, sle: s, rank: i + 1 })));
    }
  });

  it('deep-dives only degraded sites, worst first, and never makes more calls than its budget', async () => {
    const sle = await records<SleRecord>('sle');
    const degraded = worstFirst(sle);
    expect(degraded.length).toBeGreaterThan(4);
    expect(degraded.some((p) => p.startsWith(outageSite))).toBe(false);
    const tight = await deepDive(10);
    // 3 calls a pair (details + first threshold): the 3 worst pairs; the call left cannot pay for a fourth.
    expect(tight.calls).toBe(9);
    expect(polledPairs(tight.records)).toEqual(degraded.slice(0, 3));
    expect(tight.records.find((r) => r.kind === 'state' && r.state === 'missing')).toMatchObject({ pairs: degraded.length - 3 });
    const full = await deepDive(budget);
    expect(polledPairs(full.records)).toEqual(degraded);
    // Thresholds are fetched once: the 3 already known are carried, so 2 calls for those pairs.
    expect(full.calls).toBe(2 * degraded.length + (degraded.length - 3));
    expect(paths.every((p) => degraded.some((d) => p.startsWith(`/api/v1/sites/${d.split('|')[0]}/`)))).toBe(true);
  });

  it('after a forced outage the site falls below the threshold and its details name the outage', async () => {
    const incident = await force(sim, { kind: 'outage', site_id: outageSite, duration_seconds: 1800 });
    await advance(sim, 1500);
    const truth = await siteTruthOf(sim, outageSite);
    expect(truth.outage).toBe(true);
    expect(truth.gateway.connected).toBe(false);
    expect(incident.end - incident.start).toBe(1800);
    await cycle(sleFamily);
    const scores = siteScores(await records<SleRecord>('sle'), outageSite);
    for (const s of WAN_SLES) expect(scores[s], s).toBeLessThan(0.9);

    const { records: details } = await deepDive(budget);
    expect(polledPairs(details).filter((p) => p.startsWith(outageSite)).sort()).toEqual(WAN_SLES.map((s) => `${outageSite}|${s}`).sort());
    const mine = details.filter((r) => r.kind !== 'cycle' && r.kind !== 'state' && r.site_id === outageSite);
    const share = (sle: string, classifier: string): number => {
      const c = mine.find((r) => r.kind === 'classifier' && r.sle === sle && r.classifier === classifier);
      expect(c, `${sle} ${classifier}`).toBeDefined();
      return c!.kind === 'classifier' ? c!.degraded_ratio : NaN;
    };
    const cause = { 'gateway-health': 'gateway-disconnected', 'wan-link-health': 'interface-port-down', 'application-health': 'application-services-application-disconnects' };
    for (const s of WAN_SLES) {
      // The outage's classifier explains most of the degradation, and a classifier never exceeds the SLE's degraded share.
      expect(share(s, cause[s]), s).toBeGreaterThan(0.3);
      expect(share(s, cause[s]), s).toBeLessThanOrEqual(1 - scores[s]! + 0.02);
    }
    const gw = sim.sim.org.gateways[sim.sim.site(outageSite)!.gatewayIndex]!;
    const interfaces = mine.filter((r) => r.kind === 'interface');
    expect(interfaces.length).toBe(gw.wanPortIndexes.length);
    for (const r of interfaces) expect(r).toMatchObject({ sle: 'wan-link-health', mac: gw.mac });
    expect(interfaces.map((r) => (r.kind === 'interface' ? r.port_id : '')).sort()).toEqual(gw.wanPortIndexes.map((p) => sim.sim.org.wanPorts[p]!.portId).sort());
    for (const s of ['gateway-health', 'application-health']) {
      expect(mine.filter((r) => r.kind === 'gateway' && r.sle === s).map((r) => (r.kind === 'gateway' ? r.mac : ''))).toEqual([gw.mac]);
    }
    expect(mine.filter((r) => r.kind === 'threshold').map((r) => (r.kind === 'threshold' ? r.units : ''))).toHaveLength(3);
    const text = (await renderFamily(sleDetailsCatalogue, [{ orgId: sim.orgId, records: details }])).text;
    expect(text).toContain(`mist_site_sle_interface_degraded_ratio{org_id="${sim.orgId}",site_id="${outageSite}",sle="wan-link-health",mac="${gw.mac}",port_id="`);
  });

  it('once the outage has left the one-hour window the site is no longer polled and its series disappear', async () => {
    await advance(sim, 300 + 3600 + 600);
    expect((await siteTruthOf(sim, outageSite)).outage).toBe(false);
    await cycle(sleFamily);
    const sle = await records<SleRecord>('sle');
    for (const s of WAN_SLES) expect(siteScores(sle, outageSite)[s], s).toBeGreaterThanOrEqual(0.9);
    const { records: details } = await deepDive(budget);
    expect(paths.some((p) => p.startsWith(`/api/v1/sites/${outageSite}/`))).toBe(false);
    expect(polledPairs(details)).toEqual(worstFirst(sle));
    expect(details.some((r) => r.kind !== 'cycle' && r.kind !== 'state' && r.site_id === outageSite)).toBe(false);
    const text = (await renderFamily(sleDetailsCatalogue, [{ orgId: sim.orgId, records: details }])).text;
    expect(text).not.toContain(outageSite);
    expect(text).toContain('mist_site_sle_classifier_degraded_ratio{');
  });
});
