import { getSleImpactedGateways, getSleImpactedInterfaces, getSleSummaryTrend, getSleThreshold } from '../../mist/endpoints.js';
import { isMistError } from '../../mist/errors.js';
import {
  ImpactedGatewaySchema, ImpactedInterfaceSchema, SleClassifierSchema,
  type MistImpactedGateways, type MistImpactedInterfaces, type MistSleSummaryTrend, type MistSleThreshold,
} from '../../mist/schemas/sle.js';
import { validateRecords } from '../../mist/validate.js';
import { addDrops, type Family, type FamilyContext } from '../family.js';
import {
  GatewayRecordSchema, SleDetailsRecordSchema, SleRecordSchema, type SleDetailsPairRecord, type SleDetailsRecord, type SleRecord, type SleThresholdRecord,
} from '../records.js';
import { SLE_WINDOW, WAN_SLES, type WanSle } from './sle.js';
import { resolvePort, wanInterfacesByMac, type PortsByMac } from './vpn-ports.js';

const StoredGateway = GatewayRecordSchema.pick({ mac: true, wan_interfaces: true });

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

const clampShare = (v: number): number => Math.min(1, Math.max(0, v));

/** degraded / total over the buckets where both are known; null when nothing was measured. Pure. */
export function degradedShare(degraded: readonly (number | null)[], total: readonly (number | null)[]): number | null {
  let d = 0;
  let t = 0;
  for (let i = 0; i < total.length; i++) {
    const ti = total[i];
    const di = degraded[i];
    if (ti === null || ti === undefined || di === null || di === undefined || !Number.isFinite(ti) || !Number.isFinite(di)) continue;
    t += ti;
    d += di;
  }
  return t > 0 ? clampShare(d / t) : null;
}

const rowShare = (degraded: number | undefined, total: number | undefined): number | null =>
  degraded === undefined || total === undefined || !Number.isFinite(degraded) || !Number.isFinite(total) || total <= 0 ? null : clampShare(degraded / total);

interface Mapped<R> {
  readonly records: R[];
  readonly dropped: Record<string, number>;
}

/** The pair's `details` record: the window its details cover. Pure. */
export function detailsRecord(pair: DegradedPair, trend: Pick<MistSleSummaryTrend, 'end'>): SleDetailsPairRecord {
  return { kind: 'details', site_id: pair.site_id, sle: pair.sle, score_ratio: pair.score, window_end_seconds: trend.end, carried_cycles: 0 };
}

/**
 * Each summary-trend classifier's degraded share over the window: Σ its degraded samples / Σ its total samples
 * (the SLE's totals when the classifier has none). A classifier without measured minutes has no record. Pure.
 */
export function classifierRecords(pair: DegradedPair, trend: MistSleSummaryTrend): Mapped<SleDetailsRecord> {
  const v = validateRecords(trend.classifiers, SleClassifierSchema);
  const sleTotal = trend.sle?.samples?.total ?? [];
  const records: SleDetailsRecord[] = [];
  // A repeated classifier is left to the renderer's one duplicate rule (first wins, counted; exposition.ts).
  for (const c of v.records) {
    const total = c.samples && c.samples.total.some((x) => x !== null) ? c.samples.total : sleTotal;
    const ratio = degradedShare(c.samples?.degraded ?? [], total);
    if (ratio !== null) records.push({ kind: 'classifier', site_id: pair.site_id, sle: pair.sle, classifier: c.name, degraded_ratio: ratio });
  }
  return { records, dropped: v.dropped };
}

/**
 * impacted-interfaces rows as degraded shares per (gateway MAC, port id); rows without a total have none. Mist's
 * interface_name is resolved to the port id through the gateway's WAN interfaces (`ports`, from the gateways
 * snapshot), as VPN path ports are (vpn-ports.ts: SSR may name a WAN interface there); a name that cannot be
 * resolved is kept as it is and counted in `unresolved`. Two rows naming one port (by id and by name) are left
 * to the renderer's one duplicate rule (first wins, counted; exposition.ts). Pure apart from `unresolved`.
 */
export function interfaceRecords(pair: DegradedPair, body: MistImpactedInterfaces, ports: PortsByMac = new Map(), unresolved = { ports: 0 }): Mapped<SleDetailsRecord> {
  const v = validateRecords(body.interfaces, ImpactedInterfaceSchema);
  const records: SleDetailsRecord[] = [];
  for (const row of v.records) {
    const mac = row.gateway_mac ?? row.switch_mac ?? '';
    const ratio = rowShare(row.degraded, row.total);
    if (ratio === null) continue;
    const port = resolvePort(ports, mac, row.interface_name);
    if (!port) unresolved.ports += 1;
    records.push({ kind: 'interface', site_id: pair.site_id, sle: pair.sle, mac, port_id: port?.port_id ?? row.interface_name, degraded_ratio: ratio });
  }
  return { records, dropped: v.dropped };
}

/** impacted-gateways rows as degraded shares per gateway MAC. Pure. */
export function gatewayRecords(pair: DegradedPair, body: MistImpactedGateways): Mapped<SleDetailsRecord> {
  const v = validateRecords(body.gateways, ImpactedGatewaySchema);
  const records: SleDetailsRecord[] = [];
  for (const row of v.records) {
    const ratio = rowShare(row.degraded, row.total);
    if (ratio === null) continue;
    records.push({ kind: 'gateway', site_id: pair.site_id, sle: pair.sle, mac: row.gateway_mac, degraded_ratio: ratio });
  }
  return { records, dropped: v.dropped };
}

/** Mist's threshold as it is (units vary by SLE: %, ms, …). Pure. */
export function thresholdRecord(pair: Pick<DegradedPair, 'site_id' | 'sle'>, t: MistSleThreshold): SleThresholdRecord {
  const value = t.threshold !== undefined && Number.isFinite(t.threshold) ? t.threshold : null;
  return { kind: 'threshold', site_id: pair.site_id, sle: pair.sle, threshold: value, units: t.units ?? '', direction: t.direction ?? '', age_cycles: 0 };
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

/** Stored records of a family, validated where they leave the store; unreadable ones are skipped and logged. */
async function storedRecords<T>(ctx: FamilyContext, family: string, parse: (r: unknown) => { success: true; data: T } | { success: false }): Promise<T[] | null> {
  const raw = await ctx.readRecords(family);
  if (raw === null) return null;
  const out: T[] = [];
  for (const r of raw) {
    const p = parse(r);
    if (p.success) out.push(p.data);
  }
  if (out.length < raw.length) ctx.log.warn({ family, unreadable: raw.length - out.length }, 'unreadable records in the store');
  return out;
}

/**
 * The deep dive into degraded sites: budgeted (it spends what the plan leaves: ctx.callBudget calls a cycle, never
 * more), on a slower loop than `sle`. Pairs are polled worst first; a still-degraded pair the budget did not
 * reach keeps its last details for up to MAX_CARRIED_CYCLES cycles (their `carried_cycles` and window end say how
 * old); a pair that recovered is not polled and its records are not carried, so its series vanish.
 */
export const sleDetailsFamily: Family<SleDetailsRecord> = {
  name: 'sle-details',
  defaultIntervalSeconds: 900,
  callsPerCycle: () => 0,
  budgeted: true,
  resumable: false,
  async *run(ctx) {
    const threshold = ctx.settings.sleDegradedThreshold;
    const sle = await storedRecords(ctx, 'sle', (r) => SleRecordSchema.safeParse(r));
    if (sle === null) ctx.log.info('no sle snapshot: no site is known to be degraded');
    const previous = (await storedRecords(ctx, 'sle-details', (r) => SleDetailsRecordSchema.safeParse(r))) ?? [];
    const gateways = (await storedRecords(ctx, 'gateways', (r) => StoredGateway.safeParse(r))) ?? [];
    const ports = wanInterfacesByMac(gateways);
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
  },
};
