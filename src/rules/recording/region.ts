import { LEVELS } from '../config.js';
import { CHRONIC_KPIS, GROUPS, R } from '../names.js';
import type { RecordingRule, RuleGroup } from '../types.js';
import { CIRCUIT, on, rule, SITE, type Ctx } from './context.js';

const REGION = ['org_id', 'region'] as const;
const by = `by (${REGION.join(', ')})`;

/**
 * Region rollups. Circuit series carry no region: it is joined from mist_site_info at rollup time, so a site
 * moved to another region rolls up there from its next minute. Counts are 0 (not absent) in a region with sites.
 */
export function regionGroups(ctx: Ctx): RuleGroup[] {
  // One region per site even while a region change reaches the replicas one scrape apart (two `region` values for
  // a site would make every group_left below fail for the whole region set, not just for that site).
  const sites = `topk by (${SITE.join(', ')}) (1, ${ctx.raw('mist_site_info', { by: [...SITE, 'region'] })})`;
  const inRegion = (x: string): string => `(${x}) * ${on(SITE)} group_left (region) ${sites}`;
  const zero = `count ${by} (${sites}) * 0`;
  const count = (x: string): string => `count ${by} (${inRegion(x)}) or ${zero}`;
  const known = ctx.raw('mist_wan_port_info', { by: CIRCUIT });
  const disabled = ctx.raw('mist_wan_port_disabled');
  const minute: RecordingRule[] = [
    rule(R.regionCircuitsUp, count(`${R.circuitUp} == 1`)),
    rule(R.regionCircuitsDown, count(`${R.circuitUp} == 0`)),
    rule(R.regionCircuitsUnknown, count(`${known} unless ${on(CIRCUIT)} ${R.circuitUp} unless ${on(CIRCUIT)} (${disabled} == 1)`)),
    rule(R.regionSitesDown, count(`${R.siteDown} == 1`)),
    rule(R.regionOnSecondary, count(`${R.onSecondary} == 1`)),
    ...LEVELS.map((level) => rule(R.regionCongested, count(`${R.utilizationBreach}{level="${level}"} == 1`), { level })),
    rule(R.regionUtilizationP95, `quantile ${by} (0.95, ${inRegion(R.utilization5m)})`),
    rule(R.regionAvailability1h, `sum ${by} (${inRegion(R.upMinutes1h)}) / sum ${by} (${inRegion(R.knownMinutes1h)})`),
    rule(R.regionLossAvg1h, `avg ${by} (${inRegion(R.lossAvg1h)})`),
    rule(R.regionLatencyAvg1h, `avg ${by} (${inRegion(R.latencyAvg1h)})`),
    rule(R.regionJitterAvg1h, `avg ${by} (${inRegion(R.jitterAvg1h)})`),
  ];
  // The daily series are recorded in 00:00–01:00 UTC by the day group, at its own phase: the region's day group
  // runs in the next hour and takes the day's value with last_over_time over two hours (yesterday's is 24 h older).
  const last = (x: string): string => inRegion(`last_over_time(${x}[${ctx.w(2 * ctx.hour)}])`);
  const daily = (name: string, expr: string, labels?: Record<string, string>) => rule(name, ctx.onceADay(expr, 1), labels);
  const day: RecordingRule[] = [
    daily(R.regionAvailability1d, `sum ${by} (${last(R.upMinutes1d)}) / sum ${by} (${last(R.knownMinutes1d)})`),
    daily(R.regionUtilizationBreachSeconds1d, `sum by (${REGION.join(', ')}, level) (${last(R.utilizationBreachSeconds1d)})`),
    daily(R.regionFlaps1d, `sum ${by} (${last(R.flaps1d)})`),
    daily(R.regionFailovers1d, `sum ${by} (${last(R.failovers1d)})`),
    daily(R.regionOnSecondarySeconds1d, `sum ${by} (${last(R.onSecondarySeconds1d)})`),
    daily(R.regionLossAvg1d, `avg ${by} (${last(R.lossAvg1d)})`),
    daily(R.regionLatencyAvg1d, `avg ${by} (${last(R.latencyAvg1d)})`),
    daily(R.regionJitterAvg1d, `avg ${by} (${last(R.jitterAvg1d)})`),
    ...CHRONIC_KPIS.map((kpi) => daily(R.regionChronicOffenders, `sum ${by} (${last(`${R.chronicOffender}{kpi="${kpi}"}`)})`, { kpi })),
  ];
  return [
    { name: GROUPS.regionMinute, interval: ctx.d(ctx.grain), rules: minute },
    { name: GROUPS.regionDay, interval: ctx.d(ctx.hour), rules: day },
  ];
}
