import { LEVELS, type Level, type QualityMetric } from '../config.js';
import { GROUPS, R } from '../names.js';
import { quote } from '../promql.js';
import type { RuleGroup } from '../types.js';
import { on, rule, SITE, type Ctx } from './context.js';

export type ThresholdMetric = 'utilization' | QualityMetric;

/** The recorded name holding each metric's thresholds (for dashboards). */
export const THRESHOLD_SERIES: Record<ThresholdMetric, string> = {
  utilization: R.utilizationThreshold,
  loss_ratio: R.lossThreshold,
  latency_seconds: R.latencyThreshold,
  jitter_seconds: R.jitterThreshold,
};

/** Regions whose value for (metric, level) differs from the default, sorted, with that value. */
export function regionValues(ctx: Ctx, m: ThresholdMetric, level: Level): { region: string; value: number }[] {
  const base = ctx.config.thresholds[m][level];
  return Object.entries(ctx.config.region_overrides)
    .map(([region, o]) => ({ region, value: o[m]?.[level] ?? base }))
    .filter((r) => r.value !== base)
    .sort((a, b) => (a.region < b.region ? -1 : a.region > b.region ? 1 : 0));
}

/** Sites of one region (mist_site_info, read like every raw metric). */
const sitesIn = (ctx: Ctx, region: string): string =>
  ctx.raw('mist_site_info', { matchers: `region=${quote(region)}`, by: SITE });

/**
 * `X >= bool T` with the region overrides as explicit branches: sites of an overriding region compare with its
 * value, all others with the default. X is a recorded site_circuit series (it carries org_id and site_id).
 */
export function atOrAbove(ctx: Ctx, x: string, m: ThresholdMetric, level: Level): string {
  const overrides = regionValues(ctx, m, level);
  const base = ctx.config.thresholds[m][level];
  if (overrides.length === 0) return `${x} >= bool ${base}`;
  const rest = overrides.reduce((acc, o) => `${acc} unless ${on(SITE)} ${sitesIn(ctx, o.region)}`, x);
  return [`(${rest}) >= bool ${base}`, ...overrides.map((o) => `(${x} and ${on(SITE)} ${sitesIn(ctx, o.region)}) >= bool ${o.value}`)].join(' or ');
}

/** One rule per level: `NAME{level=…} = X >= bool T(level, region)`. */
export const breachRules = (ctx: Ctx, name: string, x: string, m: ThresholdMetric) =>
  LEVELS.map((level) => rule(name, atOrAbove(ctx, x, m, level), { level }));

/** The thresholds as series (value = threshold; labels level, region: "" for the default). */
export function thresholdGroup(ctx: Ctx): RuleGroup {
  const metrics = Object.keys(THRESHOLD_SERIES) as ThresholdMetric[];
  const rules = metrics.flatMap((m) => LEVELS.flatMap((level) => [
    rule(THRESHOLD_SERIES[m], `vector(${ctx.config.thresholds[m][level]})`, { level, region: '' }),
    ...regionValues(ctx, m, level).map((o) => rule(THRESHOLD_SERIES[m], `vector(${o.value})`, { level, region: o.region })),
  ]));
  return { name: GROUPS.thresholds, interval: ctx.d(ctx.grain), rules };
}
