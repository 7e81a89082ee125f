import { API_METRICS, COLLECTOR_METRICS, EXPORTER_METRICS } from './catalogue/self.js';
import { renderSamples, type Sample } from './exposition.js';
import { orgCollectorSamples, tokenCollectorSamples } from './shard-status.js';
import type { CollectorStatus } from '../store/org-locks.js';
import type { SelfMetricDef } from './types.js';

/** What the self-metrics are rendered from: the exporter's view of the store and of its own rendering. */
export interface SelfState {
  readonly version: string;
  readonly storeUp: boolean;
  readonly lastRefresh: number | null;
  readonly now: number;
  readonly metas: readonly {
    readonly orgId: string;
    readonly family: string;
    readonly lastSuccess: number | null;
    readonly lastAttempt: number | null;
    readonly durationMs: number | null;
    readonly recordsKept: number | null;
    readonly recordsDropped: number | null;
    readonly calls: number | null;
    readonly uncountedGapSeconds?: number | null;
    readonly recordsFiltered?: number | null;
    readonly sitesIncluded?: number | null;
    readonly sitesExcluded?: number | null;
    readonly intervalSeconds: number | null;
    readonly lastError: string | null;
    readonly expiresAt: number | null;
  }[];
  readonly usage: readonly { fingerprint: string; used: number; limit: number; coolingUntil: number; at: number }[];
  /** Counter groups by name: field (label-encoded) → total. */
  readonly counters: ReadonlyMap<string, readonly { labels: readonly string[]; value: number }[]>;
  readonly families: readonly { family: string; series: number; invalid: number; duplicates: number; renderSeconds: number }[];
  /** The collectors' live status records (collector shards); absent: none rendered. */
  readonly collectors?: readonly CollectorStatus[];
}

const seconds = (ms: number | null): number | null => (ms === null ? null : ms / 1000);

function from<T>(items: readonly T[], labels: (t: T) => readonly string[], value: (t: T) => number | null): Sample[] {
  return items.flatMap((t) => {
    const v = value(t);
    return v === null ? [] : [{ labels: labels(t), value: v }];
  });
}

/** Self-metrics as exposition text; counters come from the store's persistent counter groups. */
export function renderSelf(s: SelfState, counterGroups: Readonly<Record<'requests' | 'failures' | 'rateLimited' | 'uncountedGap', string>>): string {
  const fam = (m: SelfState['metas'][number]): readonly string[] => [m.orgId, m.family];
  const parts: [SelfMetricDef, Sample[]][] = [
    [COLLECTOR_METRICS.lastSuccess, from(s.metas, fam, (m) => seconds(m.lastSuccess))],
    [COLLECTOR_METRICS.lastAttempt, from(s.metas, fam, (m) => seconds(m.lastAttempt))],
    [COLLECTOR_METRICS.duration, from(s.metas, fam, (m) => seconds(m.durationMs))],
    [COLLECTOR_METRICS.success, from(s.metas, fam, (m) => (m.lastAttempt === null ? null : m.lastError === null ? 1 : 0))],
    [COLLECTOR_METRICS.records, from(s.metas, fam, (m) => m.recordsKept)],
    [COLLECTOR_METRICS.dropped, from(s.metas, fam, (m) => m.recordsDropped)],
    [COLLECTOR_METRICS.interval, from(s.metas, fam, (m) => m.intervalSeconds)],
    [COLLECTOR_METRICS.calls, from(s.metas, fam, (m) => m.calls)],
    [COLLECTOR_METRICS.uncountedGap, from(s.metas, fam, (m) => m.uncountedGapSeconds ?? null)],
    [COLLECTOR_METRICS.uncountedGapTotal, [...(s.counters.get(counterGroups.uncountedGap) ?? [])]],
    [COLLECTOR_METRICS.recordsFiltered, from(s.metas, fam, (m) => m.recordsFiltered ?? null)],
    [COLLECTOR_METRICS.siteFilterSites, [
      ...from(s.metas, (m) => [m.orgId, 'included'], (m) => m.sitesIncluded ?? null),
      ...from(s.metas, (m) => [m.orgId, 'excluded'], (m) => m.sitesExcluded ?? null),
    ]],
    [COLLECTOR_METRICS.orgCollectors, s.collectors === undefined ? [] : orgCollectorSamples(s.collectors, [...new Set(s.metas.map((m) => m.orgId))])],
    [COLLECTOR_METRICS.snapshot, from(s.metas, fam, (m) => (m.expiresAt === null ? null : m.expiresAt > s.now ? 1 : 0))],
    [API_METRICS.requests, [...(s.counters.get(counterGroups.requests) ?? [])]],
    [API_METRICS.failures, [...(s.counters.get(counterGroups.failures) ?? [])]],
    [API_METRICS.rateLimited, [...(s.counters.get(counterGroups.rateLimited) ?? [])]],
    [API_METRICS.budgetUsed, from(s.usage, (u) => [u.fingerprint], (u) => u.used)],
    [API_METRICS.budgetLimit, from(s.usage, (u) => [u.fingerprint], (u) => u.limit)],
    [API_METRICS.cooldown, from(s.usage, (u) => [u.fingerprint], (u) => u.coolingUntil / 1000)],
    [API_METRICS.tokenCollectors, tokenCollectorSamples(s.collectors ?? [])],
    [API_METRICS.usageReported, from(s.usage, (u) => [u.fingerprint], (u) => u.at / 1000)],
    [EXPORTER_METRICS.build, [{ labels: [s.version, process.version], value: 1 }]],
    [EXPORTER_METRICS.storeUp, [{ labels: [], value: s.storeUp ? 1 : 0 }]],
    [EXPORTER_METRICS.refreshed, s.lastRefresh === null ? [] : [{ labels: [], value: s.lastRefresh / 1000 }]],
    [EXPORTER_METRICS.renderDuration, from(s.families, (f) => [f.family], (f) => f.renderSeconds)],
    [EXPORTER_METRICS.series, from(s.families, (f) => [f.family], (f) => f.series)],
    [EXPORTER_METRICS.invalid, from(s.families, (f) => [f.family], (f) => f.invalid)],
    [EXPORTER_METRICS.duplicate, from(s.families, (f) => [f.family], (f) => f.duplicates)],
  ];
  return parts.map(([def, samples]) => renderSamples(def, samples)).join('');
}
