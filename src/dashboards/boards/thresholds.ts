import type { Level } from '../../rules/config.js';
import { dashboard, levelSteps, levelVariable, q, regionVariable, stat, timeseries, UID, type PanelSpec } from '../build.js';
import { HOUR, MINUTE, type DashCtx } from '../context.js';
import type { Dashboard, ThresholdStep } from '../grafana.js';
import { CIRCUIT_ROWS, rankedTable, type Column } from '../offenders.js';
import {
  calendarDays, calendarHours, DATA_SECONDS_PER_SAMPLE, latestDaily, lastDays, longestRunRolling, MONTHS_13, ROLLING, timeAboveRolling,
  type Window,
} from '../periods.js';
import { R } from '../queries.js';

/**
 * Time above threshold, both modes (cumulative seconds above; the longest continuous run above), for every window:
 * rolling 3 h / 12 h / 24 h, the calendar period of the time picker (today, this week, this month, previous
 * month …), today so far to the minute, and 13 months; every level through the `level` variable; utilization in
 * both modes, loss / latency / jitter cumulative (the rules record no quality runs). Forms: docs/kpis.md.
 */

const LEVEL = '{level="$level"}';

/** Time-above colours: green none, yellow any, red from a chronic breach day's minutes (the rules' config). */
export const timeAboveSteps = (ctx: DashCtx): ThresholdStep[] =>
  [{ color: 'green', value: null }, { color: 'yellow', value: 1 }, { color: 'red', value: ctx.kpi.chronic.min_minutes * 60 }];

const QUALITY = [
  { name: 'Loss', flag: R.lossBreach, hours: R.lossBreachSeconds1h, days: R.lossBreachSeconds1d },
  { name: 'Latency', flag: R.latencyBreach, hours: R.latencyBreachSeconds1h, days: R.latencyBreachSeconds1d },
  { name: 'Jitter', flag: R.jitterBreach, hours: R.jitterBreachSeconds1h, days: R.jitterBreachSeconds1d },
] as const;

/** Worst of loss / latency / jitter time above, one value per circuit and level. */
const worstOf = (parts: readonly string[]): string =>
  `max without (kpi) (${parts.map((p, i) => `label_replace(${p}, "kpi", "${QUALITY[i]!.name.toLowerCase()}", "", "")`).join(' or ')})`;

const newestFirst = (ws: readonly Window[]): Window[] => [...ws].reverse();

export function thresholdsDashboard(ctx: DashCtx): Dashboard {
  const steps = timeAboveSteps(ctx);
  const col = (title: string, expr: string): Column => ({ title, expr, unit: 'dtdurations', thresholds: steps });
  const csvNote = 'Rows: circuits of the selected regions; the site name opens the site, the circuit name the circuit.';

  const congestedNow = (level: Level): ReturnType<typeof stat> => stat({
    title: `Congested now (${level})`,
    description: `Circuits whose 5-minute utilization is at or above the ${level} threshold now (${Math.round(ctx.kpi.thresholds.utilization[level] * 100)} % by default; region overrides apply), selected regions.`,
    unit: 'none', thresholds: [{ color: 'green', value: null }, { color: level === 'warning' ? 'yellow' : level === 'major' ? 'orange' : 'red', value: 1 }],
    queries: [q(`sum(${R.regionCongested}{level="${level}", region=~"$region"}) or vector(0)`)],
  });

  const rollingUtilization = rankedTable({
    title: 'Utilization above $level: rolling 3 h / 12 h / 24 h (cumulative and longest run)',
    description: 'Per circuit: total time the 5-minute utilization was at or above the $level threshold (cumulative, to the minute) and the longest continuous run above it (by clock hours: exact for runs within one clock hour and for the current run; a finished run that crossed an hour may read short by less than an hour, docs/kpis.md), over the last 24 h, 12 h and 3 h. '
      + csvNote,
    rows: CIRCUIT_ROWS, rank: 'top',
    columns: [
      ...newestFirst(ROLLING).map((w) => col(`Time above, ${w.label}`, timeAboveRolling(ctx, `${R.utilizationBreach}${LEVEL}`, w.seconds))),
      ...newestFirst(ROLLING).map((w) => col(`Longest run, ${w.label}`, longestRunRolling(ctx, LEVEL, w.seconds))),
    ],
  }, 24, 12);

  const rollingQuality = QUALITY.map((k) => rankedTable({
    title: `${k.name} above $level: rolling 3 h / 12 h / 24 h`,
    description: `Per circuit: total time its ${k.name.toLowerCase()} (mean over its up VPN paths, per minute) was at or above the $level threshold in the last 24 h, 12 h and 3 h (cumulative, to the minute). ${csvNote}`,
    rows: CIRCUIT_ROWS, rank: 'top', n: 20,
    columns: newestFirst(ROLLING).map((w) => col(`Time above, ${w.label}`, timeAboveRolling(ctx, `${k.flag}${LEVEL}`, w.seconds))),
  }, 8, 10));

  const todayUtilization = rankedTable({
    title: 'Utilization above $level: today so far (UTC, to the minute)',
    description: 'Per circuit since 00:00 UTC: total time at or above the $level threshold and the longest run within today (runs split at 00:00 UTC, like the daily series). The panel pins the time range to today. '
      + csvNote,
    rows: CIRCUIT_ROWS, rank: 'top', timeFrom: 'now/d',
    columns: [
      col('Time above, today', `sum_over_time(${R.utilizationBreach}${LEVEL}[$__range]) * ${DATA_SECONDS_PER_SAMPLE}`),
      col('Longest run, today', `max_over_time(${R.utilizationRunDay}${LEVEL}[$__range])`),
    ],
  }, 12, 10);

  const todayQuality = rankedTable({
    title: 'Quality above $level: today so far (UTC, to the minute)',
    description: 'Per circuit since 00:00 UTC: total time the loss, latency and jitter were at or above the $level threshold; ranked by the worst of the three. The panel pins the time range to today. '
      + csvNote,
    rows: CIRCUIT_ROWS, rank: 'top', timeFrom: 'now/d',
    columns: [
      col('Worst of the three', worstOf(QUALITY.map((k) => `sum_over_time(${k.flag}${LEVEL}[$__range]) * ${DATA_SECONDS_PER_SAMPLE}`))),
      ...QUALITY.map((k) => col(k.name, `sum_over_time(${k.flag}${LEVEL}[$__range]) * ${DATA_SECONDS_PER_SAMPLE}`)),
    ],
  }, 12, 10);

  const calendarUtilization = rankedTable({
    title: 'Utilization above $level: the selected period (calendar)',
    description: 'Per circuit over the dashboard time range: pick Today, This week, This month, Previous month … in the time picker (UTC). Time above = its finished clock hours (hourly series); longest run = its finished UTC days (daily series; a run over midnight counts as two). '
      + csvNote,
    rows: CIRCUIT_ROWS, rank: 'top',
    columns: [
      col('Time above (finished hours)', calendarHours(ctx, 'sum_over_time', `${R.utilizationBreachSeconds1h}${LEVEL}`)),
      col('Longest run (finished days)', calendarDays(ctx, 'max_over_time', `${R.utilizationLongestRun1d}${LEVEL}`)),
      col('Time above (finished days)', calendarDays(ctx, 'sum_over_time', `${R.utilizationBreachSeconds1d}${LEVEL}`)),
    ],
  }, 12, 10);

  const calendarQuality = rankedTable({
    title: 'Quality above $level: the selected period (calendar)',
    description: 'Per circuit over the dashboard time range (its finished clock hours): total time the loss, latency and jitter were at or above the $level threshold; ranked by the worst of the three. '
      + csvNote,
    rows: CIRCUIT_ROWS, rank: 'top',
    columns: [
      col('Worst of the three', worstOf(QUALITY.map((k) => calendarHours(ctx, 'sum_over_time', `${k.hours}${LEVEL}`)))),
      ...QUALITY.map((k) => col(k.name, calendarHours(ctx, 'sum_over_time', `${k.hours}${LEVEL}`))),
    ],
  }, 12, 10);

  const yearUtilization = rankedTable({
    title: 'Utilization above $level: 13 months',
    description: 'Per circuit over the last 395 finished UTC days (daily series): total time at or above the $level threshold and the longest run within a day. '
      + csvNote,
    rows: CIRCUIT_ROWS, rank: 'top',
    columns: [
      col(`Time above, ${MONTHS_13.label}`, lastDays(ctx, 'sum_over_time', `${R.utilizationBreachSeconds1d}${LEVEL}`, MONTHS_13.seconds)),
      col(`Longest run, ${MONTHS_13.label}`, lastDays(ctx, 'max_over_time', `${R.utilizationLongestRun1d}${LEVEL}`, MONTHS_13.seconds)),
    ],
  }, 12, 10);

  const yearQuality = rankedTable({
    title: 'Quality above $level: 13 months',
    description: 'Per circuit over the last 395 finished UTC days (daily series): total time the loss, latency and jitter were at or above the $level threshold; ranked by the worst of the three. '
      + csvNote,
    rows: CIRCUIT_ROWS, rank: 'top',
    columns: [
      col('Worst of the three', worstOf(QUALITY.map((k) => lastDays(ctx, 'sum_over_time', `${k.days}${LEVEL}`, MONTHS_13.seconds)))),
      ...QUALITY.map((k) => col(k.name, lastDays(ctx, 'sum_over_time', `${k.days}${LEVEL}`, MONTHS_13.seconds))),
    ],
  }, 12, 10);

  const trendDaily: PanelSpec = {
    title: 'Time above $level utilization per day, by region',
    description: 'Sum over the circuits of each region of the time at or above the $level utilization threshold, per finished UTC day (region daily rollup, recorded 01:00–02:00 UTC).',
    unit: 'dtdurations',
    queries: [q(latestDaily(ctx, `${R.regionUtilizationBreachSeconds1d}{level="$level", region=~"$region"}`), { legend: '{{region}}', interval: ctx.d(HOUR), instant: false })],
    custom: { drawStyle: 'bars', fillOpacity: 60, lineWidth: 1 },
  };
  const trendNow: PanelSpec = {
    title: 'Circuits congested at $level, by region',
    description: 'Circuits whose 5-minute utilization is at or above the $level threshold, per region, over the time range.',
    unit: 'none',
    queries: [q(`${R.regionCongested}{level="$level", region=~"$region"}`, { legend: '{{region}}', interval: ctx.d(MINUTE) })],
  };
  const utilizationNow: PanelSpec = {
    title: 'Utilization p95 by region',
    description: 'The 95th percentile of the 5-minute utilization over the circuits of each region, with the configured thresholds.',
    unit: 'percentunit', thresholds: levelSteps(ctx.kpi.thresholds.utilization), colorMode: 'palette-classic', min: 0,
    custom: { thresholdsStyle: { mode: 'dashed' } },
    queries: [q(`${R.regionUtilizationP95}{region=~"$region"}`, { legend: '{{region}}', interval: ctx.d(MINUTE) })],
  };

  return dashboard({
    uid: UID.thresholds,
    title: 'Mist WAN / Time above threshold',
    description: 'Time above the utilization and quality thresholds, cumulative and longest continuous run, for rolling windows, calendar periods and 13 months; top offenders export to CSV.',
    questions: [
      'Which circuits spent the most time above the warning / major / critical threshold in the last 3 h, 12 h, 24 h (pick the level above)?',
      'Which circuits were congested longest without a break (longest continuous run)?',
      'Which circuits had the most time with loss, latency or jitter above the threshold?',
      'Today, this week, this month, last month (time picker) and over 13 months: who are the top offenders? Export any table to CSV.',
      'Click a site or circuit name to drill down (site → circuit); the Executive overview and Availability are in the dashboard links.',
    ],
    variables: [regionVariable(), levelVariable(ctx.kpi.chronic.level)],
    time: { from: 'now-7d', to: 'now' },
    refresh: '5m',
    tags: ['thresholds'],
    sections: [
      { row: 'Now', panels: [congestedNow('warning'), congestedNow('major'), congestedNow('critical'), timeseries(trendNow, 12, 4)] },
      { row: 'Rolling windows: 3 h / 12 h / 24 h', panels: [rollingUtilization, ...rollingQuality] },
      { row: 'Calendar: today so far, and the selected period (time picker)', panels: [todayUtilization, todayQuality, calendarUtilization, calendarQuality] },
      { row: '13 months (daily series)', panels: [yearUtilization, yearQuality] },
      { row: 'Trends', panels: [timeseries(trendDaily, 12, 8), timeseries(utilizationNow, 12, 8)] },
    ],
  });
}
