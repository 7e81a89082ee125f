import type { Config } from '../config/index.js';
import { FAMILIES } from '../families/registry.js';
import type { Logger } from '../log.js';
import { createMistClient, type MistClient, type MistClientOptions } from '../mist/index.js';
import { realNow, realSleep, type Now, type Sleep } from '../mist/time.js';
import type { CallRecord } from '../mist/types.js';
import type { InventorySource } from '../inventory/types.js';
import type { Store } from '../store/types.js';
import { CallStatsRecorder } from './call-stats.js';
import type { Family } from './family.js';
import { Leader } from './leader.js';
import { measureOrg, probesFor } from './measure.js';
import { formatPlan, planBudget, stretchByTier, type Plan } from './plan.js';
import { shardProblems } from '../metrics/shard-status.js';
import { retireUncollected } from './retire.js';
import { Scheduler, type ScheduledFamily, type SchedulerDeps } from './scheduler.js';

/** The collector refuses to start (exit 2): no token, an org the tokens cannot see, or a plan that cannot fit. */
export class CollectorRefused extends Error {
  readonly code = 'E_COLLECTOR_REFUSED';
}

export interface CollectorDeps {
  readonly store: Store;
  readonly now?: Now;
  readonly sleep?: Sleep;
  readonly onCall?: (record: CallRecord) => void;
  readonly families?: readonly Family[];
  /** The live circuit inventory (src/inventory/watch.ts: openInventory(…).source); none: no inventory. */
  readonly inventory?: InventorySource;
  /**
   * The Mist client's timeouts and retry bounds, when not the defaults (tests: a hung request times out in
   * a fraction of a second instead of 30 s). Not configurable by users.
   */
  readonly client?: Pick<MistClientOptions, 'timeouts' | 'retry'>;
}

export interface PreparedCollector {
  readonly api: MistClient;
  readonly plan: Plan;
  readonly jobs: readonly ScheduledFamily[];
  readonly orgIds: readonly string[];
  readonly schedulerDeps: SchedulerDeps;
  /** API calls made so far (start-up included), not yet added to the store's counters: flush it. */
  readonly callStats: CallStatsRecorder;
}

/**
 * Start-up: validate tokens (/self), choose the orgs, measure them (5 calls each), plan the budget and stretch
 * intervals when needed. Refuses with every reason when collection cannot run within budget.
 */
export async function prepareCollector(config: Config, log: Logger, deps: CollectorDeps): Promise<PreparedCollector> {
  const now = deps.now ?? realNow;
  const sleep = deps.sleep ?? realSleep;
  if (config.mist.tokens.length === 0) {
    throw new CollectorRefused('MIST_API_TOKENS is empty: the collector needs at least one Mist API token (the `all` mode runs the simulator without one)');
  }
  // Every attempt counts, start-up checks and a refused start included: they are real API calls.
  const callStats = new CallStatsRecorder();
  const flushCalls = (): Promise<void> => callStats.flush(deps.store).catch((err: unknown) => log.warn({ err }, 'could not write the API call counters'));
  const api = await createMistClient({
    ...deps.client,
    baseUrl: config.mist.baseUrl,
    tokens: config.mist.tokens,
    concurrency: config.collector.concurrency,
    rateLimit: { perTokenPerHour: config.collector.rateLimitPerToken },
    now,
    sleep,
    onCall: (record) => {
      callStats.record(record);
      deps.onCall?.(record);
    },
  }, log).catch(async (err: unknown) => {
    await flushCalls();
    throw err;
  });
  try {
    const visible = api.orgIds();
    const orgIds = config.mist.orgIds.length > 0 ? [...config.mist.orgIds] : [...visible];
    const hidden = orgIds.filter((id) => !visible.includes(id));
    if (hidden.length > 0) throw new CollectorRefused(`MIST_ORG_ID: the tokens cannot see org(s) ${hidden.join(', ')}`);
    if (orgIds.length === 0) throw new CollectorRefused('the tokens see no org: use org-level API tokens');
    const orgs = [];
    for (const orgId of orgIds) orgs.push({ orgId, size: await measureOrg(api, orgId, undefined, probesFor(config.collector.profile)) });
    const families = deps.families ?? FAMILIES;
    const requested = families.map((family) => ({ family, intervalSeconds: config.collector.intervals[family.name] ?? family.defaultIntervalSeconds }));
    const plan = planBudget({ jobs: requested, orgs, tokens: api.usage().length, limitPerToken: config.collector.rateLimitPerToken, share: config.collector.budgetShare, profile: config.collector.profile });
    for (const o of orgs) log.info({ orgId: o.orgId, size: o.size }, 'org measured');
    if (!plan.fits) throw new CollectorRefused(`the collection plan does not fit the API budget:\n${formatPlan(plan)}`);
    if (plan.stretch > 1) log.warn({ stretch: stretchByTier(plan), intervals: plan.intervals, requestedPerHour: plan.requestedPerHour, allowedPerHour: plan.allowedPerHour }, 'intervals stretched to fit the API budget, lowest tier first');
    log.info({ profile: plan.profile, callsPerHour: plan.callsPerHour, budgetPerHour: plan.budgetPerHour, intervals: plan.intervals, notCollected: plan.excluded.map((e) => e.family) }, 'collection planned');
    const jobs = families.filter((family) => family.name in plan.intervals).flatMap((family) => orgIds.map((orgId) => ({
      family, orgId, intervalSeconds: plan.intervals[family.name] ?? family.defaultIntervalSeconds,
      ...(family.budgeted ? { callBudget: plan.budgets[family.name] ?? 0 } : {}),
    })));
    const settings = {
      regions: config.collector.regions, circuitRoles: config.collector.circuitRoles, sleDegradedThreshold: config.collector.sleDegradedThreshold,
      inventory: deps.inventory ?? ((): null => null), profile: config.collector.profile,
    };
    const schedulerDeps: SchedulerDeps = { store: deps.store, api, log, settings, now, sleep, siteFilter: config.collector.siteFilter };
    return { api, plan, jobs, orgIds, schedulerDeps, callStats };
  } catch (err) {
    await flushCalls();
    await api.close();
    throw err;
  }
}

/**
 * Before a new leader spends budget: the tokens' usage this hour as the store's budget records say (what the
 * previous leader last published; free) and, after a takeover, as Mist says (/self/usage, one call per token:
 * the previous leader's calls since its last publish, and any other user's). Counts only ever rise.
 */
async function catchUpUsage(prepared: PreparedCollector, store: Store, now: number, takeover: boolean, signal: AbortSignal, log: Logger): Promise<void> {
  const hour = Math.floor(now / 3_600_000);
  try {
    prepared.api.observeUsage((await store.readTokenUsage()).filter((r) => Math.floor(r.at / 3_600_000) === hour));
  } catch (err) {
    log.warn({ err }, 'could not read the token usage records from the store');
  }
  if (takeover) await prepared.api.refreshUsage(signal);
  log.info({ usage: prepared.api.usage().map(({ fingerprint, used, limit }) => ({ fingerprint, used, limit })), takeover }, 'token usage re-read before collecting');
}

/**
 * Shards are meant to have tokens of their own: each plans its whole MIST_BUDGET_SHARE of its tokens, so two active
 * shards sharing a token may together spend twice that and meet 429s. Said once per leadership (the exporter shows
 * it continuously: mist_api_token_active_collectors).
 */
async function warnSharedTokens(store: Store, leader: Leader, log: Logger): Promise<void> {
  try {
    const statuses = await store.readCollectorStatuses();
    // This collector's status says active (the leader reports before leading): a token it shares with another
    // active collector is one two active collectors use.
    const mine = statuses.find((s) => s.id === leader.owner)?.tokens ?? [];
    const shared = shardProblems(statuses).sharedTokens.filter((fp) => mine.includes(fp));
    if (shared.length > 0) {
      const others = statuses.filter((s) => s.id !== leader.owner && s.state === 'active' && s.tokens.some((fp) => shared.includes(fp)));
      log.warn({ tokens: shared, orgIds: leader.orgIds, with: others.map((s) => s.orgIds) },
        'another active collector (another shard) uses the same token(s): each plans the whole budget share, so together they may exceed it; give each shard its own tokens or lower MIST_BUDGET_SHARE');
    }
  } catch (err) {
    log.debug({ err }, 'could not read the collector statuses');
  }
}

/** How often the collector writes per-token budget use and API call counters to the store (exporters render them). */
const USAGE_PUBLISH_MS = 10_000;

/**
 * Runs until `signal` aborts: campaigns for the locks of its orgs (one per org, all or none: src/collect/leader.ts)
 * and, while active, runs every family of those orgs on its interval. A standby keeps campaigning. Token usage is published to the store for the exporters, and so are
 * the API call counters: at once (a standby's start-up calls count too), with the usage, and at the end.
 */
export async function runCollector(prepared: PreparedCollector, config: Config, log: Logger, signal: AbortSignal): Promise<void> {
  const { api, schedulerDeps } = prepared;
  const { store, sleep, now } = schedulerDeps;
  const leader = new Leader({
    store, orgIds: prepared.orgIds, ttlMs: config.collector.lockTtlSeconds * 1000, log: log.child({ component: 'leader' }), sleep, now,
    tokens: () => api.usage().map((u) => u.fingerprint),
  });
  const flushCalls = async (): Promise<void> => {
    await prepared.callStats.flush(store).catch((err: unknown) => log.warn({ err }, 'could not write the API call counters; kept for the next flush'));
  };
  const publishUsage = async (): Promise<void> => {
    await store.putTokenUsage(api.usage(), now()).catch((err: unknown) => log.warn({ err }, 'could not publish token usage'));
    await flushCalls();
  };
  await flushCalls();
  await leader.run(async (leadership, { takeover }) => {
    await catchUpUsage(prepared, store, now(), takeover, leadership, log);
    await warnSharedTokens(store, leader, log);
    await retireUncollected(store, prepared.orgIds, prepared.plan, log);
    const scheduler = new Scheduler(schedulerDeps, prepared.jobs, log.child({ component: 'scheduler' }));
    scheduler.start();
    while (!leadership.aborted) {
      await publishUsage();
      await sleep(USAGE_PUBLISH_MS, leadership).catch(() => undefined);
    }
    await scheduler.stop();
    await publishUsage();
  }, signal);
  await flushCalls();
}
