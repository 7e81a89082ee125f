import { addDrops, type FamilyContext, type FamilyPage } from '../../collect/family.js';
import { getSleImpactedGateways, getSleImpactedInterfaces, getSleSummaryTrend, getSleThreshold } from '../../mist/endpoints.js';
import { isMistError } from '../../mist/errors.js';
import { narrowRecords } from '../define-records.js';
import { GatewayRecordSchema, gatewaysRecords } from '../gateways/records.js';
import { SLE_WINDOW, WAN_SLES, type WanSle } from '../sle/collect.js';
import { sleRecords, type SleRecord } from '../sle/records.js';
import { wanInterfacesByMac, type PortsByMac } from '../vpn-peers/ports.js';
import { classifierRecords, detailsRecord, gatewayRecords, interfaceRecords, thresholdRecord } from './map.js';
import { sleDetailsRecords, type SleDetailsRecord, type SleThresholdRecord } from './records.js';

const StoredGateway = narrowRecords(gatewaysRecords, GatewayRecordSchema.pick({ mac: true, wan_interfaces: true }));

/**
 * SLE details: for the (site, SLE) pairs whose score in the current `sle` snapshot is below SLE_DEGRADED_THRESHOLD,
 * worst first, what degrades them (summary-trend classifiers), where (impacted interfaces for wan-link-health,
 * impacted gateways for the others) and Mist's threshold, within the calls the plan leaves to this family.
 */

/** Calls one pair's details take: summary-trend and impacted-interfaces or impacted-gateways. */
export const CALLS_PER_PAIR = 2;
/**
 * A still-degraded pair the budget did not reach keeps its last details for at most this many later cycles
 * (so they are never older than one TTL, 3 intervals); then it has none until it is polled again.
 */
export const MAX_CARRIED_CYCLES = 2;
/** Mist's threshold is a site setting that rarely changes: refetched after this many cycles (a day at 900 s). */
export const THRESHOLD_REFRESH_CYCLES = 96;
/** Pairs fetched at once (the Mist client's own concurrency limit still applies). */
const POLL_CONCURRENCY = 4;

export interface DegradedPair {
  readonly site_id: string;
  readonly sle: WanSle;
  readonly score: number;
}

export interface PollPlan {
  readonly pair: DegradedPair;
  /** Also fetch the pair's threshold (none carried, or due for a refresh). */
  readonly threshold: boolean;
}

export const pairKey = (p: { readonly site_id: string; readonly sle: string }): string => `${p.site_id}|${p.sle}`;

const isWanSle = (s: string): s is WanSle => (WAN_SLES as readonly string[]).includes(s);

/** The degraded (site, SLE) pairs of an sle snapshot, worst score first (ties: site id, then SLE order). Pure. */
export function degradedPairs(sle: readonly SleRecord[], threshold: number): DegradedPair[] {
  const pairs: DegradedPair[] = [];
  for (const r of sle) {
    if (r.kind === 'score' && isWanSle(r.sle) && r.ratio < threshold) pairs.push({ site_id: r.site_id, sle: r.sle, score: r.ratio });
  }
  return pairs.sort((a, b) => a.score - b.score || (a.site_id < b.site_id ? -1 : a.site_id > b.site_id ? 1 : 0)
    || WAN_SLES.indexOf(a.sle) - WAN_SLES.indexOf(b.sle));
}

/**
 * Which pairs this cycle polls, worst first, never planning more than `budget` calls: a pair costs
 * CALLS_PER_PAIR, plus one for its threshold when it needs one and a call is left after its details. Planning
 * stops at the first pair that no longer fits. Pure.
 */
export function planPolls(pairs: readonly DegradedPair[], budget: number, needsThreshold: (pair: DegradedPair) => boolean): { polls: PollPlan[]; calls: number } {
  const polls: PollPlan[] = [];
  let calls = 0;
  for (const pair of pairs) {
    if (budget - calls < CALLS_PER_PAIR) break;
    calls += CALLS_PER_PAIR;
    const threshold = needsThreshold(pair) && budget - calls >= 1;
    if (threshold) calls += 1;
    polls.push({ pair, threshold });
  }
  return { polls, calls };
}

/**
 * What the new generation keeps from the previous one (records of pairs not fetched this cycle). Details of a
 * pair still degraded are carried forward, `carried_cycles` + 1, for at most MAX_CARRIED_CYCLES cycles; a
 * threshold of a pair still degraded is kept (aged) until it is due for a refresh. A pair that recovered keeps
 * nothing: its series vanish with this generation. Pure.
 */
export function carryForward(
  previous: readonly SleDetailsRecord[], degraded: ReadonlySet<string>, fetched: ReadonlySet<string>, thresholdsFetched: ReadonlySet<string>,
): SleDetailsRecord[] {
  const carried = new Set<string>();
  for (const r of previous) {
    const key = r.kind === 'cycle' || r.kind === 'state' ? '' : pairKey(r);
    if (r.kind === 'details' && degraded.has(key) && !fetched.has(key) && r.carried_cycles < MAX_CARRIED_CYCLES) carried.add(key);
  }
  const out: SleDetailsRecord[] = [];
  for (const r of previous) {
    switch (r.kind) {
      case 'cycle':
      case 'state':
        break;
      case 'threshold': {
        const key = pairKey(r);
        if (degraded.has(key) && !thresholdsFetched.has(key) && r.age_cycles + 1 < THRESHOLD_REFRESH_CYCLES) out.push({ ...r, age_cycles: r.age_cycles + 1 });
        break;
      }
      case 'details':
        if (carried.has(pairKey(r))) out.push({ ...r, carried_cycles: r.carried_cycles + 1 });
        break;
      default:
        if (carried.has(pairKey(r))) out.push(r);
    }
  }
  return out;
}

/** Does the pair need its threshold fetched (none kept from the previous generation, or due for a refresh)? */
export function thresholdNeeded(previous: readonly SleDetailsRecord[]): (pair: DegradedPair) => boolean {
  const ages = new Map<string, number>();
  for (const r of previous) if (r.kind === 'threshold') ages.set(pairKey(r), r.age_cycles);
  return (pair) => {
    const age = ages.get(pairKey(pair));
    return age === undefined || age + 1 >= THRESHOLD_REFRESH_CYCLES;
  };
}

interface PairResult {
  readonly records: SleDetailsRecord[];
  readonly dropped: Record<string, number>;
  readonly threshold: SleThresholdRecord | null;
}

/** One pair's calls (2, or 3 with the threshold), at once. Details need both of their calls; the threshold is extra. */
async function fetchPair(ctx: FamilyContext, plan: PollPlan, spent: { calls: number }, ports: PortsByMac, unresolved: { ports: number }): Promise<PairResult> {
  const { pair } = plan;
  spent.calls += CALLS_PER_PAIR + (plan.threshold ? 1 : 0);
  const opts = { signal: ctx.signal };
  const impacted = pair.sle === 'wan-link-health'
    ? ctx.api.getOne(getSleImpactedInterfaces(pair.site_id, pair.sle, SLE_WINDOW), opts).then((b) => interfaceRecords(pair, b, ports, unresolved))
    : ctx.api.getOne(getSleImpactedGateways(pair.site_id, pair.sle, SLE_WINDOW), opts).then((b) => gatewayRecords(pair, b));
  const trend = ctx.api.getOne(getSleSummaryTrend(pair.site_id, pair.sle, SLE_WINDOW), opts);
  const threshold = plan.threshold ? ctx.api.getOne(getSleThreshold(pair.site_id, pair.sle), opts) : null;
  const [t, i, th] = await Promise.allSettled([trend, impacted, threshold]);
  if (t.status === 'rejected') throw t.reason;
  if (i.status === 'rejected') throw i.reason;
  const classifiers = classifierRecords(pair, t.value);
  const dropped = { ...classifiers.dropped };
  addDrops(dropped, i.value.dropped);
  if (th.status === 'rejected') ctx.log.warn({ site_id: pair.site_id, sle: pair.sle, error: errorCode(th.reason) }, 'SLE threshold not fetched; retried next cycle');
  return {
    records: [detailsRecord(pair, t.value), ...classifiers.records, ...i.value.records],
    dropped,
    threshold: th.status === 'fulfilled' && th.value !== null ? thresholdRecord(pair, th.value) : null,
  };
}

const errorCode = (err: unknown): string => (isMistError(err) ? err.code : err instanceof Error ? err.message : String(err));

/**
 * The deep dive into degraded sites: budgeted (it spends what the plan leaves: ctx.callBudget calls a cycle, never
 * more), on a slower loop than `sle`. Pairs are polled worst first; a still-degraded pair the budget did not
 * reach keeps its last details for up to MAX_CARRIED_CYCLES cycles (their `carried_cycles` and window end say how
 * old); a pair that recovered is not polled and its records are not carried, so its series vanish.
 */
export async function* collectSleDetails(ctx: FamilyContext): AsyncGenerator<FamilyPage<SleDetailsRecord>> {
  const threshold = ctx.settings.sleDegradedThreshold;
  const sle = await ctx.readRecords(sleRecords);
  if (sle === null) ctx.log.info('no sle snapshot: no site is known to be degraded');
  const previous = (await ctx.readRecords(sleDetailsRecords)) ?? [];
  const ports = wanInterfacesByMac((await ctx.readRecords(StoredGateway)) ?? []);
  const unresolved = { ports: 0 };
  const pairs = degradedPairs(sle ?? [], threshold);
  const { polls } = planPolls(pairs, ctx.callBudget, thresholdNeeded(previous));
  const spent = { calls: 0 };

  const results = new Map<string, PairResult>();
  const dropped: Record<string, number> = {};
  const failures: unknown[] = [];
  let stop = false;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (!stop && next < polls.length) {
      const plan = polls[next++]!;
      try {
        results.set(pairKey(plan.pair), await fetchPair(ctx, plan, spent, ports, unresolved));
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        failures.push(err);
        // Out of budget or refused: polling on would only waste calls.
        if (isMistError(err, 'E_MIST_RATE_LIMITED') || isMistError(err, 'E_MIST_AUTH')) stop = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(POLL_CONCURRENCY, polls.length) }, worker));
  if (failures.length > 0 && results.size === 0) throw failures[0];
  if (failures.length > 0) ctx.log.warn({ failed: failures.length, polled: results.size, first: errorCode(failures[0]) }, 'some SLE details could not be fetched; their previous details are carried');

  if (unresolved.ports > 0) ctx.log.warn({ interfaces: unresolved.ports }, 'SLE impacted interfaces not among their gateway\'s WAN interfaces (gateways snapshot): they keep Mist\'s interface name and may not join onto a WAN port');
  const fetched = new Set(results.keys());
  const thresholdsFetched = new Set([...results].filter(([, r]) => r.threshold !== null).map(([k]) => k));
  const kept = carryForward(previous, new Set(pairs.map(pairKey)), fetched, thresholdsFetched);
  const byPair = new Map<string, SleDetailsRecord[]>();
  const add = (r: SleDetailsRecord): void => {
    if (r.kind === 'cycle' || r.kind === 'state') return;
    const key = pairKey(r);
    const list = byPair.get(key);
    if (list) list.push(r);
    else byPair.set(key, [r]);
  };
  for (const [, r] of results) {
    r.records.forEach(add);
    if (r.threshold) add(r.threshold);
    addDrops(dropped, r.dropped);
  }
  kept.forEach(add);
  const records = pairs.flatMap((p) => byPair.get(pairKey(p)) ?? []);
  const carried = kept.filter((r) => r.kind === 'details').length;
  records.push(
    { kind: 'cycle', threshold_ratio: threshold, calls: spent.calls, call_budget: Number.isFinite(ctx.callBudget) ? ctx.callBudget : null },
    { kind: 'state', state: 'polled', pairs: results.size },
    { kind: 'state', state: 'carried', pairs: carried },
    { kind: 'state', state: 'missing', pairs: pairs.length - results.size - carried },
  );
  yield { records, dropped, cursor: null };
}
