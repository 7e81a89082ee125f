import { describe, expect, it } from 'vitest';
import { defaultFamilySettings, type FamilyContext, recordReader } from '../../src/collect/family.js';
import { CALLS_PER_PAIR, carryForward, degradedPairs, MAX_CARRIED_CYCLES, planPolls, THRESHOLD_REFRESH_CYCLES, thresholdNeeded, type DegradedPair } from '../../src/families/sle-details/collect.js';
import { sleDetailsFamily } from '../../src/families/sle-details/index.js';
import type { SleRecord } from '../../src/families/sle/records.js';
import type { SleDetailsRecord } from '../../src/families/sle-details/records.js';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import type { Endpoint, MistApi } from '../../src/mist/types.js';
import { captureLog } from '../support/redis-store.js';

/** Who the sle-details family polls, within which budget, and what it carries from one generation to the next. */

const site = (n: number): string => `5e7a0000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const score = (n: number, sle: string, ratio: number): SleRecord => ({ kind: 'score', site_id: site(n), sle, ratio });
const pair = (n: number, sle: DegradedPair['sle'] = 'wan-link-health', s = 0.5): DegradedPair => ({ site_id: site(n), sle, score: s });
const key = (n: number, sle = 'wan-link-health'): string => `${site(n)}|${sle}`;

describe('degradedPairs', () => {
  it('keeps WAN SLE scores strictly below the threshold, worst first (ties: site id, then SLE order)', () => {
    const snapshot: SleRecord[] = [
      score(1, 'gateway-health', 0.95), score(1, 'wan-link-health', 0.5), score(2, 'application-health', 0.2),
      score(2, 'gateway-health', 0.5), score(3, 'wan-link-health', 0.9), score(0, 'wan-link-health-v2', 0.1),
      { kind: 'site', site_id: site(4), gateways: 1, clients: 0 }, { kind: 'worst', site_id: site(5), sle: 'gateway-health', rank: 1 },
    ];
    expect(degradedPairs(snapshot, 0.9).map((p) => [p.site_id, p.sle, p.score])).toEqual([
      [site(2), 'application-health', 0.2], [site(1), 'wan-link-health', 0.5], [site(2), 'gateway-health', 0.5],
    ]);
    expect(degradedPairs(snapshot, 0.2)).toEqual([]);
  });
});

describe('planPolls', () => {
  const pairs = Array.from({ length: 20 }, (_, i) => pair(i, 'wan-link-health', i / 100));

  it('never plans more calls than the budget, for any budget and any mix of thresholds to fetch', () => {
    for (let budget = 0; budget <= 70; budget++) {
      for (const needs of [() => true, () => false, (p: DegradedPair) => p.site_id.endsWith('1') || p.site_id.endsWith('4')]) {
        const { polls, calls } = planPolls(pairs, budget, needs);
        expect(calls).toBeLessThanOrEqual(budget);
        expect(calls).toBe(polls.reduce((s, p) => s + CALLS_PER_PAIR + (p.threshold ? 1 : 0), 0));
        // Worst first: what is polled is a prefix of the worst-first list, and it stops only when a pair no longer fits.
        expect(polls.map((p) => p.pair)).toEqual(pairs.slice(0, polls.length));
        if (polls.length < pairs.length) expect(budget - calls).toBeLessThan(CALLS_PER_PAIR);
      }
    }
  });

  it('spends 2 calls a pair, 3 when its threshold is due, and polls a last pair without its threshold rather than not at all', () => {
    expect(planPolls(pairs, 7, () => true)).toEqual({ polls: [{ pair: pairs[0], threshold: true }, { pair: pairs[1], threshold: true }], calls: 6 });
    expect(planPolls(pairs, 8, () => true)).toEqual({
      polls: [{ pair: pairs[0], threshold: true }, { pair: pairs[1], threshold: true }, { pair: pairs[2], threshold: false }], calls: 8,
    });
    expect(planPolls(pairs, 1, () => true)).toEqual({ polls: [], calls: 0 });
  });

  it('polls every degraded pair when unbounded (a cycle outside a plan)', () => {
    expect(planPolls(pairs, Infinity, () => false).polls).toHaveLength(20);
  });
});

describe('carryForward', () => {
  const details = (n: number, carried: number): SleDetailsRecord =>
    ({ kind: 'details', site_id: site(n), sle: 'wan-link-health', score_ratio: 0.5, window_end_seconds: 100, carried_cycles: carried });
  const classifier = (n: number): SleDetailsRecord =>
    ({ kind: 'classifier', site_id: site(n), sle: 'wan-link-health', classifier: 'network-loss', degraded_ratio: 0.5 });
  const threshold = (n: number, age: number): SleDetailsRecord =>
    ({ kind: 'threshold', site_id: site(n), sle: 'wan-link-health', threshold: 90, units: '%', direction: 'right', age_cycles: age });
  const previous = [
    details(1, 0), classifier(1), threshold(1, 0),
    details(2, MAX_CARRIED_CYCLES - 1), classifier(2),
    details(3, MAX_CARRIED_CYCLES), classifier(3), threshold(3, THRESHOLD_REFRESH_CYCLES - 2),
    details(4, 0), classifier(4), threshold(4, 5),
    { kind: 'cycle', threshold_ratio: 0.9, calls: 4, call_budget: 4 }, { kind: 'state', state: 'polled', pairs: 2 },
  ] as SleDetailsRecord[];

  it('carries a still-degraded, unreached pair\'s details one more cycle, up to the limit, and never a recovered pair\'s', () => {
    // Site 4 recovered (not degraded any more); 1, 2, 3 are still degraded and were not fetched.
    const out = carryForward(previous, new Set([key(1), key(2), key(3)]), new Set(), new Set());
    expect(out).toEqual([
      details(1, 1), classifier(1), threshold(1, 1),
      details(2, MAX_CARRIED_CYCLES), classifier(2),
      threshold(3, THRESHOLD_REFRESH_CYCLES - 1),
    ]);
  });

  it('keeps nothing of a pair fetched this cycle except a threshold it did not refetch', () => {
    const out = carryForward(previous, new Set([key(1), key(4)]), new Set([key(1), key(4)]), new Set([key(4)]));
    expect(out).toEqual([threshold(1, 1)]);
  });

  it('drops a threshold due for a refresh, so the next poll of its pair fetches it again', () => {
    const aged = [threshold(1, THRESHOLD_REFRESH_CYCLES - 1)];
    expect(carryForward(aged, new Set([key(1)]), new Set(), new Set())).toEqual([]);
    expect(thresholdNeeded(aged)(pair(1))).toBe(true);
    expect(thresholdNeeded([threshold(1, 0)])(pair(1))).toBe(false);
    expect(thresholdNeeded([threshold(1, 0)])(pair(2))).toBe(true);
  });
});

/** A MistApi that answers the SLE site endpoints from memory and records every call (pages/count are not used). */
function fakeApi(fail: (path: string) => boolean = () => false): { api: MistApi; calls: string[] } {
  const calls: string[] = [];
  const body = (path: string): unknown => {
    if (path.endsWith('/summary-trend')) {
      return { start: 0, end: 3600, sle: { samples: { total: [60], degraded: [30] } }, classifiers: [{ name: 'network-loss', samples: { total: [60], degraded: [30] } }] };
    }
    if (path.endsWith('/impacted-interfaces')) return { interfaces: [{ interface_name: 'ge-0/0/0', gateway_mac: '020000000001', degraded: 30, total: 60 }] };
    if (path.endsWith('/impacted-gateways')) return { gateways: [{ gateway_mac: '020000000001', degraded: 30, total: 60 }] };
    return { threshold: 90, units: '%', direction: 'right' };
  };
  const api: MistApi = {
    pages: () => { throw new Error('not used'); },
    count: () => Promise.reject(new Error('not used')),
    getOne: <T>(endpoint: Endpoint<T>) => {
      calls.push(endpoint.path);
      if (fail(endpoint.path)) return Promise.reject(Object.assign(new Error('boom'), { code: 'E_MIST_HTTP' }));
      return Promise.resolve(endpoint.schema.parse(body(endpoint.path)));
    },
  };
  return { api, calls };
}

async function runOnce(sle: readonly SleRecord[] | null, previous: readonly SleDetailsRecord[] | null, callBudget: number, api: MistApi): Promise<SleDetailsRecord[]> {
  const ctx: FamilyContext = {
    orgId: 'o', api, signal: new AbortController().signal, log: captureLog('fatal').log, settings: defaultFamilySettings(), callBudget, readRecords: recordReader((family) => (family === 'sle' ? sle : previous)), readState: () => Promise.resolve(null),
  };
  const out: SleDetailsRecord[] = [];
  for await (const page of sleDetailsFamily.run(ctx, null)) out.push(...page.records);
  return out;
}

describe('sleDetailsFamily.run', () => {
  const snapshot = [score(1, 'wan-link-health', 0.3), score(2, 'gateway-health', 0.1), score(3, 'application-health', 0.8), score(4, 'wan-link-health', 0.95)];
  const polledSites = (records: readonly SleDetailsRecord[]): string[] => records.filter((r) => r.kind === 'details').map((r) => (r.kind === 'details' ? `${r.site_id}|${r.sle}|${r.carried_cycles}` : ''));
  const cycleOf = (records: readonly SleDetailsRecord[]): unknown => records.find((r) => r.kind === 'cycle');

  it('polls the worst pairs first within the budget and makes no more calls than it allows', async () => {
    const { api, calls } = fakeApi();
    const records = await runOnce(snapshot, null, 7, api);
    expect(calls.length).toBeLessThanOrEqual(7);
    expect(calls.length).toBe(6);
    expect(polledSites(records)).toEqual([`${site(2)}|gateway-health|0`, `${site(1)}|wan-link-health|0`]);
    expect(calls.some((p) => p.includes(site(3)))).toBe(false);
    expect(cycleOf(records)).toEqual({ kind: 'cycle', threshold_ratio: 0.9, calls: 6, call_budget: 7 });
    expect(records.filter((r) => r.kind === 'state')).toEqual([
      { kind: 'state', state: 'polled', pairs: 2 }, { kind: 'state', state: 'carried', pairs: 0 }, { kind: 'state', state: 'missing', pairs: 1 },
    ]);
  });

  it('next cycle: carries the unreached still-degraded pair, re-polls without refetching thresholds, drops a recovered pair', async () => {
    const first = await runOnce(snapshot, null, Infinity, fakeApi().api);
    expect(polledSites(first)).toHaveLength(3);
    // Site 2 recovered; budget for one pair only (thresholds are carried, so 2 calls a pair).
    const recovered = snapshot.filter((r) => r.site_id !== site(2));
    const { api, calls } = fakeApi();
    const second = await runOnce(recovered, first, 3, api);
    expect(calls.every((p) => !p.endsWith('/threshold'))).toBe(true);
    expect(calls).toHaveLength(2);
    expect(polledSites(second)).toEqual([`${site(1)}|wan-link-health|0`, `${site(3)}|application-health|1`]);
    expect(second.some((r) => r.kind !== 'cycle' && r.kind !== 'state' && r.site_id === site(2))).toBe(false);
    expect(second.filter((r) => r.kind === 'threshold').map((r) => (r.kind === 'threshold' ? r.age_cycles : -1))).toEqual([1, 1]);
  });

  it('keeps the previous details of a pair whose calls fail, and fails the cycle only when every poll failed', async () => {
    const first = await runOnce(snapshot, null, Infinity, fakeApi().api);
    const partial = fakeApi((path) => path.includes(site(1)));
    const second = await runOnce(snapshot, first, Infinity, partial.api);
    expect(polledSites(second)).toEqual([`${site(2)}|gateway-health|0`, `${site(1)}|wan-link-health|1`, `${site(3)}|application-health|0`]);
    await expect(runOnce(snapshot, first, Infinity, fakeApi(() => true).api)).rejects.toThrow('boom');
  });

  it('without an sle snapshot knows no degraded site: polls nothing and carries nothing', async () => {
    const first = await runOnce(snapshot, null, Infinity, fakeApi().api);
    const { api, calls } = fakeApi();
    const records = await runOnce(null, first, 100, api);
    expect(calls).toEqual([]);
    expect(records.map((r) => r.kind)).toEqual(['cycle', 'state', 'state', 'state']);
  });

  it('is budgeted (no fixed calls in the plan) and not resumable, every 900 s by default', () => {
    expect(sleDetailsFamily).toMatchObject({ budgeted: true, resumable: false, defaultIntervalSeconds: 900 });
    expect(sleDetailsFamily.callsPerCycle({ sites: 3208, sitegroups: 14, gateways: 3208, 'wan-ports': 14_008, 'vpn-peers': 0 })).toBe(0);
  });
});

describe('SLE_DEGRADED_THRESHOLD', () => {
  const load = (v: string): number => loadConfig({ SLE_DEGRADED_THRESHOLD: v }, { envFile: '/nonexistent' }).collector.sleDegradedThreshold;
  it('defaults to 0.9 and accepts a ratio above 0 up to 1', () => {
    expect(loadConfig({}, { envFile: '/nonexistent' }).collector.sleDegradedThreshold).toBe(0.9);
    expect(load('0.75')).toBe(0.75);
    expect(load('1')).toBe(1);
  });
  it.each(['0', '1.5', '90', 'high', '-0.1'])('refuses %s, naming the variable', (v) => {
    expect(() => load(v)).toThrow(ConfigError);
    expect(() => load(v)).toThrow(/^SLE_DEGRADED_THRESHOLD: /);
  });
});
