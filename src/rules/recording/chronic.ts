import { R, type ChronicKpi } from '../names.js';
import type { RecordingRule } from '../types.js';
import { rule, SITE, type Ctx } from './context.js';

/**
 * Chronic offenders, in the day group after the daily series: a breach day per KPI (label kpi), the breach days
 * among the last chronic.of_days days, and whether they reach chronic.days; per circuit and per site (a site
 * breaches on a day when any of its circuits does).
 */
export function chronicRules(ctx: Ctx): RecordingRule[] {
  const c = ctx.config.chronic;
  const minSeconds = c.min_minutes * ctx.grain;
  const level = `{level="${c.level}"}`;
  const breach: Record<ChronicKpi, string> = {
    utilization: `max without (level) (${R.utilizationBreachSeconds1d}${level} >= bool ${minSeconds})`,
    loss: `max without (level) (${R.lossBreachSeconds1d}${level} >= bool ${minSeconds})`,
    latency: `max without (level) (${R.latencyBreachSeconds1d}${level} >= bool ${minSeconds})`,
    jitter: `max without (level) (${R.jitterBreachSeconds1d}${level} >= bool ${minSeconds})`,
    availability: `${R.availability1d} < bool ${c.availability_below}`,
  };
  const span = ctx.w(c.of_days * ctx.day);
  const daily = (name: string, expr: string, labels?: Record<string, string>) => rule(name, ctx.onceADay(expr), labels);
  return [
    ...Object.entries(breach).map(([kpi, expr]) => daily(R.breachDay, expr, { kpi })),
    daily(R.breachDays, `sum_over_time(${R.breachDay}[${span}])`),
    daily(R.chronicOffender, `${R.breachDays} >= bool ${c.days}`),
    daily(R.siteBreachDay, `max by (${SITE.join(', ')}, kpi) (${R.breachDay})`),
    daily(R.siteBreachDays, `sum_over_time(${R.siteBreachDay}[${span}])`),
    daily(R.siteChronicOffender, `${R.siteBreachDays} >= bool ${c.days}`),
  ];
}
