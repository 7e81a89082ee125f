import { API_RATE_LIMITED, decodeLabels } from '../store/counters.js';
import type { StoreState } from './exposition-cache.js';
import { shardProblems } from '../metrics/shard-status.js';

export interface Problem {
  readonly severity: 'critical' | 'warning';
  /** One sentence a NOC operator acts on: what is wrong, since when, and what it means for the data. */
  readonly text: string;
}

/** Share of a token's hourly calls past which the budget is "near exhaustion". */
export const BUDGET_WARN_SHARE = 0.9;
/** The active collector reports token usage every 10 s; this much silence means no collector is active. */
export const COLLECTOR_SILENT_MS = 5 * 60_000;
/** A family is stale once its last success is older than this many intervals (its data expires at 3). */
export const STALE_INTERVALS = 2;

export interface ProblemInput {
  readonly state: StoreState;
  readonly now: number;
  /** org id → name, for sentences people read. */
  readonly orgName: (orgId: string) => string;
  /** Whether several orgs are collected: sentences then say which org. */
  readonly severalOrgs: boolean;
}

export function ago(ms: number | null, now: number): string {
  if (ms === null) return 'never';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  return s < 120 ? `${s} s ago` : s < 7200 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
}

export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`;
}

/**
 * What is wrong, in plain language, most serious first: the store unreachable, nothing collected, families
 * failing, stale or expired, no active collector, a token near its hourly budget or cooling down after 429s.
 * Empty when all is well. Pure: the landing page and its tests call it with a StoreState.
 */
export function findProblems({ state, now, orgName, severalOrgs }: ProblemInput): Problem[] {
  const problems: Problem[] = [];
  if (!state.up) {
    problems.push({ severity: 'critical', text: `The store (Redis) cannot be read: last successful read ${ago(state.lastRefresh, now)}. ` +
      'The exporter keeps serving what it had until that data expires; check Redis and the exporter\'s REDIS_URL.' });
  }
  if (state.metas.length === 0) {
    problems.push({ severity: state.up ? 'warning' : 'critical', text: 'Nothing has been collected yet: no family has data in the store. ' +
      'A collector must be running (with a Mist API token) against the same Redis and STORE_KEY_PREFIX; the first collection takes under a minute.' });
  }
  const where = (orgId: string): string => (severalOrgs ? ` (org ${orgName(orgId)})` : '');
  for (const { key, meta, expiresAt } of state.metas) {
    const expired = expiresAt !== null && expiresAt <= now;
    const interval = meta.intervalSeconds === null ? null : meta.intervalSeconds * 1000;
    const stale = interval !== null && meta.lastSuccess !== null && now - meta.lastSuccess > STALE_INTERVALS * interval;
    const every = interval === null ? '' : ` (collected every ${duration(interval)})`;
    if (meta.lastError !== null) {
      problems.push({ severity: expired ? 'critical' : 'warning', text: `Collecting ${key.family}${where(key.orgId)} is failing: "${meta.lastError}". ` +
        `Last success ${ago(meta.lastSuccess, now)}${every}; ${expired ? 'its data has expired and is no longer served.' : 'the last good data is still served.'}` });
    } else if (expired) {
      problems.push({ severity: 'critical', text: `${key.family}${where(key.orgId)} data has expired: last collected ${ago(meta.lastSuccess, now)}${every}, so its series are no longer served. Is the collector running?` });
    } else if (stale) {
      problems.push({ severity: 'warning', text: `${key.family}${where(key.orgId)} is stale: last collected ${ago(meta.lastSuccess, now)}${every}.` });
    }
  }
  const lastReport = Math.max(...state.usage.map((u) => u.at), -Infinity);
  if (state.metas.length > 0 && (state.usage.length === 0 || now - lastReport > COLLECTOR_SILENT_MS)) {
    problems.push({ severity: 'warning', text: `No collector has reported its API budget ${state.usage.length === 0 ? 'yet' : `since ${ago(lastReport, now)}`}: ` +
      'no collector seems active (it reports every 10 s), so families will go stale.' });
  }
  const rateLimited = rateLimitedByToken(state);
  for (const u of state.usage) {
    if (u.coolingUntil > now) {
      problems.push({ severity: 'warning', text: `Mist is rate-limiting token ${u.fingerprint} (HTTP 429): it cools down for another ${duration(u.coolingUntil - now)}; ` +
        `collection slows until then (${rateLimited.get(u.fingerprint) ?? 0} 429 answers counted in all). Another user of this token may be spending its budget.` });
    }
    if (u.limit > 0 && u.used >= BUDGET_WARN_SHARE * u.limit && Math.floor(u.at / 3_600_000) === Math.floor(now / 3_600_000)) {
      problems.push({ severity: 'warning', text: `Token ${u.fingerprint} has used ${Math.round((100 * u.used) / u.limit)}% of its hourly Mist API budget ` +
        `(${u.used.toLocaleString('en-US')} of ${u.limit.toLocaleString('en-US')} calls this hour): near exhaustion, Mist answers 429 past it.` });
    }
  }
  const shards = shardProblems(state.collectors ?? []);
  if (shards.conflicted.length > 0) {
    problems.push({ severity: 'warning', text: `Collector shards overlap: a collector for org(s) ${shards.conflicted.map(orgName).join(', ')} stands by because another ` +
      'collector with a different MIST_ORG_ID set holds some of them, so the orgs only it was meant to collect are not collected. Make shards equal (an HA pair) or disjoint (docs/collector.md, "Sharding orgs").' });
  }
  for (const fp of shards.sharedTokens) {
    problems.push({ severity: 'warning', text: `Token ${fp} is used by several active collector shards: each plans the whole budget share of it, ` +
      'so together they may exceed Mist\'s hourly limit. Give each shard its own tokens, or lower MIST_BUDGET_SHARE on each.' });
  }
  const order = { critical: 0, warning: 1 } as const;
  return problems.sort((a, b) => order[a.severity] - order[b.severity]);
}

/** 429 answers counted per token fingerprint (the collector's persisted counter). */
export function rateLimitedByToken(state: StoreState): Map<string, number> {
  const out = new Map<string, number>();
  for (const [field, value] of Object.entries(state.counters[API_RATE_LIMITED] ?? {})) {
    const fp = decodeLabels(field)?.token_fingerprint;
    if (fp !== undefined) out.set(fp, (out.get(fp) ?? 0) + value);
  }
  return out;
}
