import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { FAMILY_NAMES } from '../families/registry.js';
import { familyOf } from './promql.js';

/** The metrics the outage alerts are computed from: stale data of their families pages. */
const OUTAGE_METRICS = ['mist_gateway_up', 'mist_wan_port_up', 'mist_gateway_failed_over'];

/**
 * The one config the rules and alerts are generated from (prometheus/kpi-config.yml, documented there and in
 * docs/kpis.md). Every field has a default; the checked-in file states them all. Durations are Prometheus
 * durations (`90s`, `5m`, `4h`, `1d`), held here in seconds.
 */

export const LEVELS = ['warning', 'major', 'critical'] as const;
export type Level = (typeof LEVELS)[number];

const DURATION = /^(\d+d)?(\d+h)?(\d+m)?(\d+s)?$/;
const SIZES: Record<string, number> = { d: 86_400, h: 3_600, m: 60, s: 1 };

/** `1h30m` → 5400. */
export function parseDuration(text: string): number {
  if (!DURATION.test(text) || text === '') throw new Error(`"${text}" is not a duration like 90s, 5m, 4h or 1d`);
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)([dhms])/g)) total += Number(n) * SIZES[unit!]!;
  return total;
}

const durationField = z.string().transform((text, ctx) => {
  try {
    const s = parseDuration(text);
    if (s <= 0) throw new Error(`"${text}" must be longer than 0s`);
    return s;
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

const ratio = z.number().gt(0).lt(10);
const positive = z.number().gt(0);

/** Three ascending levels. */
const levels = (value: z.ZodNumber) => z.object({ warning: value, major: value, critical: value }).strict()
  .refine((l) => l.warning < l.major && l.major < l.critical, { message: 'levels must ascend: warning < major < critical' });
const partialLevels = (value: z.ZodNumber) => z.object({ warning: value, major: value, critical: value }).strict().partial();

export const QUALITY_METRICS = ['loss_ratio', 'jitter_seconds', 'latency_seconds'] as const;
export type QualityMetric = (typeof QUALITY_METRICS)[number];

const thresholds = z.object({
  utilization: levels(ratio).default({ warning: 0.7, major: 0.8, critical: 0.9 }),
  loss_ratio: levels(z.number().gt(0).lt(1)).default({ warning: 0.001, major: 0.005, critical: 0.01 }),
  jitter_seconds: levels(positive).default({ warning: 0.01, major: 0.03, critical: 0.05 }),
  latency_seconds: levels(positive).default({ warning: 0.05, major: 0.1, critical: 0.15 }),
}).strict();

const regionOverride = z.object({
  utilization: partialLevels(ratio).optional(),
  loss_ratio: partialLevels(z.number().gt(0).lt(1)).optional(),
  jitter_seconds: partialLevels(positive).optional(),
  latency_seconds: partialLevels(positive).optional(),
}).strict();

export const KpiConfigSchema = z.object({
  /** Defaults for every circuit. */
  thresholds: thresholds.prefault({}),
  /** Per region (the `region` label of mist_site_info): levels that differ from the defaults. */
  region_overrides: z.record(z.string().min(1), regionOverride).default({}),
  chronic: z.object({
    /** A circuit is a chronic offender when it breached on `days` of the last `of_days` UTC days. */
    days: z.number().int().min(1).default(3),
    of_days: z.number().int().min(1).max(90).default(7),
    /** The level whose breach counts. */
    level: z.enum(LEVELS).default('major'),
    /** Minutes above the level within a UTC day that make it a breach day (utilization and quality). */
    min_minutes: z.number().int().min(1).max(1440).default(15),
    /** A day whose availability is below this is a breach day. */
    availability_below: z.number().gt(0).max(1).default(0.995),
  }).strict().refine((c) => c.days <= c.of_days, { message: 'chronic.days must not exceed chronic.of_days' }).prefault({}),
  /**
   * A family's data counts as known while the snapshot a rule reads is at most this many of its collection
   * intervals old (mist_collector_last_success_timestamp_seconds vs mist_collector_interval_seconds); older, the
   * circuits it describes are unknown although the exporter still serves the snapshot (docs/kpis.md).
   */
  fresh_intervals: z.number().gt(1).max(3).default(2),
  alerts: z.object({
    site_down_for: durationField.default(300),
    circuit_down_for: durationField.default(300),
    congestion_level: z.enum(LEVELS).default('major'),
    congestion_for: durationField.default(1800),
    path_quality_level: z.enum(LEVELS).default('critical'),
    path_quality_for: durationField.default(900),
    sle_below: z.number().gt(0).lt(1).default(0.9),
    sle_for: durationField.default(3600),
    on_secondary_for: durationField.default(14_400),
    /** A family is stale when its last success is older than this many of its collection intervals. */
    stale_intervals: z.number().gt(1).default(3),
    stale_for: durationField.default(300),
    /** Families whose stale data pages (critical): the ones the outage alerts are computed from; others warn. */
    stale_critical_families: z.array(z.enum(FAMILY_NAMES as [string, ...string[]])).default(OUTAGE_METRICS.map(familyOf)),
    collector_failing_for: durationField.default(600),
    budget_used_ratio: z.number().gt(0).max(1).default(0.9),
    budget_for: durationField.default(300),
    rate_limited_for: durationField.default(300),
    store_down_for: durationField.default(120),
    /** How long an org's collectors may disagree on their shards (overlapping MIST_ORG_ID) before the warning. */
    shard_conflict_for: durationField.default(300),
    target_down_for: durationField.default(120),
    /** How long a firing outage alert holds through unknown data (series gone) before it resolves. */
    hold_through_unknown: durationField.default(1800),
  }).strict().prefault({}),
  /** Where alerts' runbook_url points (docs/runbooks.md, one anchor per alert). */
  runbook_base_url: z.string().url().default('https://github.com/mist-wan-exporter/mist-wan-exporter/blob/main/docs/runbooks.md'),
  /** Scrape jobs of the exporter (regex on `job`), for the target-down alert. */
  exporter_job: z.string().min(1).default('mist-wan-exporter.*'),
}).strict();

export type KpiConfig = z.output<typeof KpiConfigSchema>;

/** The defaults, as the checked-in prometheus/kpi-config.yml states them. */
export const DEFAULT_KPI_CONFIG: KpiConfig = KpiConfigSchema.parse({});

export class KpiConfigError extends Error {
  constructor(readonly problems: readonly string[], source: string) {
    super(`${source}: ${problems.length} problem(s)\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses a config document; every problem is listed. */
export function parseKpiConfig(doc: unknown, source = 'kpi config'): KpiConfig {
  const result = KpiConfigSchema.safeParse(doc ?? {});
  if (result.success) return result.data;
  throw new KpiConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`), source);
}

export function loadKpiConfig(path: string): KpiConfig {
  return parseKpiConfig(parse(readFileSync(path, 'utf8')), path);
}

/**
 * How the rules are generated, beyond the config: `timeScale` multiplies every duration (the minute grain
 * included). 1 for the shipped rules; tests generate a time-compressed copy from the same generator (e.g. 1/30:
 * a 2 s grain, `for: 5m` → 10 s).
 */
export interface GenerateOptions {
  readonly timeScale: number;
  /**
   * Test-only: seconds (Prometheus clock, a multiple of the scaled hour, below the scaled day) added to `time()`
   * wherever the rules find the UTC day (the day groups' once-a-day gate, the day-clipped runs), so a
   * time-compressed run sees a midnight soon after it starts (tests/integration/dashboards-prometheus.test.ts).
   * 0 or absent for the shipped rules: their text does not change.
   */
  readonly dayPhaseSeconds?: number;
}

export const SHIPPED: GenerateOptions = { timeScale: 1 };
