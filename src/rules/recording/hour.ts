import { R } from '../names.js';
import type { RecordingRule } from '../types.js';
import { rule, type Ctx } from './context.js';
import { utilizationOver } from './utilization.js';

/**
 * Per quality metric: the minute series, its breach flags, and the hourly names; `count` / `secondaryCount` are
 * the hour's per-minute samples, the weights of the hourly means in the day's mean (src/rules/recording/day.ts).
 */
export const QUALITY_HOURLY = [
  { minute: R.loss, breach: R.lossBreach, breachSeconds: R.lossBreachSeconds1h, avg: R.lossAvg1h, max: R.lossMax1h, p95: R.lossP95_1h, secondary: R.secondaryLoss, secondaryAvg: R.secondaryLossAvg1h,
    count: R.lossCount1h, secondaryCount: R.secondaryLossCount1h },
  { minute: R.latency, breach: R.latencyBreach, breachSeconds: R.latencyBreachSeconds1h, avg: R.latencyAvg1h, max: R.latencyMax1h, p95: R.latencyP95_1h, secondary: R.secondaryLatency, secondaryAvg: R.secondaryLatencyAvg1h,
    count: R.latencyCount1h, secondaryCount: R.secondaryLatencyCount1h },
  { minute: R.jitter, breach: R.jitterBreach, breachSeconds: R.jitterBreachSeconds1h, avg: R.jitterAvg1h, max: R.jitterMax1h, p95: R.jitterP95_1h, secondary: R.secondaryJitter, secondaryAvg: R.secondaryJitterAvg1h,
    count: R.jitterCount1h, secondaryCount: R.secondaryJitterCount1h },
] as const;

/**
 * The trailing hour, recorded every grain in its own group (another phase than the minute group): each range is
 * `[1h − ε]`, exactly 60 per-minute samples. Read at clock hours these are the hour grain; consecutive clock-hour
 * samples tile the day. Time above / on secondary count 60 s of data per per-minute sample (ctx.unit) at every
 * time scale.
 */
export function hourRules(ctx: Ctx): RecordingRule[] {
  const h = ctx.w(ctx.hour);
  const g = ctx.unit;
  return [
    rule(R.upMinutes1h, `sum_over_time(${R.circuitUp}[${h}])`),
    rule(R.knownMinutes1h, `count_over_time(${R.circuitUp}[${h}])`),
    rule(R.availability1h, `sum_over_time(${R.circuitUp}[${h}]) / count_over_time(${R.circuitUp}[${h}])`),
    rule(R.utilization1h, utilizationOver(ctx, h)),
    rule(R.utilizationBreachSeconds1h, `sum_over_time(${R.utilizationBreach}[${h}]) * ${g}`),
    rule(R.utilizationLongestRun1h, `max_over_time(${R.utilizationRunHour}[${h}])`),
    ...QUALITY_HOURLY.map((q) => rule(q.breachSeconds, `sum_over_time(${q.breach}[${h}]) * ${g}`)),
    rule(R.flaps1h, `sum_over_time(${R.flaps}[${h}])`),
    rule(R.failovers1h, `sum without (to_port_id) (sum_over_time(${R.failovers}[${h}]))`),
    rule(R.onSecondarySeconds1h, `sum_over_time(${R.onSecondary}[${h}]) * ${g}`),
    ...QUALITY_HOURLY.flatMap((q) => [
      rule(q.avg, `avg_over_time(${q.minute}[${h}])`),
      rule(q.max, `max_over_time(${q.minute}[${h}])`),
      rule(q.p95, `quantile_over_time(0.95, ${q.minute}[${h}])`),
      rule(q.count, `count_over_time(${q.minute}[${h}])`),
      rule(q.secondaryAvg, `avg_over_time(${q.secondary}[${h}])`),
      rule(q.secondaryCount, `count_over_time(${q.secondary}[${h}])`),
    ]),
  ];
}
