import { R } from '../names.js';
import type { RecordingRule } from '../types.js';
import { rule, type Ctx } from './context.js';

/** Hourly → daily names of the sums, maxima and means. */
const SUMS = [
  [R.upMinutes1h, R.upMinutes1d], [R.knownMinutes1h, R.knownMinutes1d],
  [R.utilizationBreachSeconds1h, R.utilizationBreachSeconds1d], [R.lossBreachSeconds1h, R.lossBreachSeconds1d],
  [R.latencyBreachSeconds1h, R.latencyBreachSeconds1d], [R.jitterBreachSeconds1h, R.jitterBreachSeconds1d],
  [R.flaps1h, R.flaps1d], [R.failovers1h, R.failovers1d], [R.onSecondarySeconds1h, R.onSecondarySeconds1d],
] as const;
const MAXIMA = [
  [R.utilization1h, R.utilizationMax1d], [R.lossMax1h, R.lossMax1d], [R.latencyMax1h, R.latencyMax1d], [R.jitterMax1h, R.jitterMax1d],
] as const;
/** The mean of the hourly ratios (utilization: the hour is the canonical grain). */
const MEANS = [[R.utilization1h, R.utilizationAvg1d]] as const;
/**
 * Hourly mean, its per-minute sample count, the day's mean over the day's minutes: hours with fewer samples (an
 * outage, 20 minutes on the secondary) weigh less.
 */
const WEIGHTED_MEANS = [
  [R.lossAvg1h, R.lossCount1h, R.lossAvg1d], [R.latencyAvg1h, R.latencyCount1h, R.latencyAvg1d],
  [R.jitterAvg1h, R.jitterCount1h, R.jitterAvg1d],
  [R.secondaryLossAvg1h, R.secondaryLossCount1h, R.secondaryLossAvg1d],
  [R.secondaryLatencyAvg1h, R.secondaryLatencyCount1h, R.secondaryLatencyAvg1d],
  [R.secondaryJitterAvg1h, R.secondaryJitterCount1h, R.secondaryJitterAvg1d],
] as const;

/**
 * The last whole UTC day, once a day (group interval one hour, gated to the evaluation in 00:00–01:00 UTC), from
 * the 24 clock-hour samples of the trailing-hour series: `X1h[1d − ε : 1h]` steps on clock hours (subquery steps
 * are multiples of the step from the epoch), and trailing hours ending on consecutive clock hours tile the day.
 */
export function dayRules(ctx: Ctx): RecordingRule[] {
  const hours = (fn: string, x: string): string => `${fn}(${x}[${ctx.w(ctx.day)}:${ctx.d(ctx.hour)}])`;
  const daily = (name: string, expr: string, labels?: Record<string, string>) => rule(name, ctx.onceADay(expr), labels);
  return [
    ...SUMS.map(([h, d]) => daily(d, hours('sum_over_time', h))),
    daily(R.availability1d, `${R.upMinutes1d} / ${R.knownMinutes1d}`),
    ...MAXIMA.map(([h, d]) => daily(d, hours('max_over_time', h))),
    ...MEANS.map(([h, d]) => daily(d, hours('avg_over_time', h))),
    ...WEIGHTED_MEANS.map(([avg, count, d]) =>
      daily(d, `${hours('sum_over_time', `(${avg} * ${count})`)} / ${hours('sum_over_time', count)}`)),
    // The day's longest run: the run clipped to the UTC day, its maximum over the 24 trailing hours that tile it.
    daily(R.utilizationLongestRun1d, hours('max_over_time', `max_over_time(${R.utilizationRunDay}[${ctx.w(ctx.hour)}])`)),
  ];
}
