import { DAY, HOUR, MINUTE, type DashCtx } from './context.js';
import { R } from './queries.js';

/**
 * The period forms of docs/kpis.md ("Periods", "Time above threshold"), one function each, so every board reads
 * a rolling window, a run of clock hours, a calendar period or 13 months the same way. Every duration goes
 * through ctx.d / ctx.w (the integration test generates a time-compressed copy); data units (60 s of data per
 * per-minute sample, 60 minutes per hour, 1440 per day) never scale.
 */

/** Seconds of data one per-minute sample stands for, at every time scale (docs/kpis.md, "Units"). */
export const DATA_SECONDS_PER_SAMPLE = 60;

/** A window a board shows: its label and its length in (production) seconds. */
export interface Window {
  readonly label: string;
  readonly seconds: number;
}

/** The operational rolling windows. */
export const ROLLING: readonly Window[] = [
  { label: '3 h', seconds: 3 * HOUR },
  { label: '12 h', seconds: 12 * HOUR },
  { label: '24 h', seconds: 24 * HOUR },
];

/** Long rolling views read from the daily series (the last N finished UTC days). */
export const DAYS_7: Window = { label: '7 d', seconds: 7 * DAY };
export const DAYS_30: Window = { label: '30 d', seconds: 30 * DAY };
/** 13 months: 395 daily samples per series (docs/kpis.md, "13-month rolling"). */
export const MONTHS_13: Window = { label: '13 months', seconds: 395 * DAY };

/** `fn(sel[W − 1s])` over a per-minute recorded series: exactly W / 60 samples, to the minute. */
export const minutes = (ctx: DashCtx, fn: string, sel: string, seconds: number): string => `${fn}(${sel}[${ctx.w(seconds)}])`;

/** Cumulative time above over a rolling window from a 0/1 per-minute breach flag, in seconds of data. */
export const timeAboveRolling = (ctx: DashCtx, flag: string, seconds: number): string =>
  `${minutes(ctx, 'sum_over_time', flag, seconds)} * ${DATA_SECONDS_PER_SAMPLE}`;

/** `fn(sel[W − 1s:1h])` over a trailing-hour series: the W / 1h clock hours that ended in the window. */
export const clockHours = (ctx: DashCtx, fn: string, sel: string, seconds: number): string =>
  `${fn}(${sel}[${ctx.w(seconds)}:${ctx.d(HOUR)}])`;

/** Calendar period = the dashboard's time range, its finished clock hours: `fn(sel[$__range:1h] offset -1h)`. */
export const calendarHours = (ctx: DashCtx, fn: string, sel: string): string =>
  `${fn}(${sel}[$__range:${ctx.d(HOUR)}] offset -${ctx.d(HOUR)})`;

/**
 * Calendar period = the dashboard's time range, its finished UTC days: `fn(sel[$__range] offset -1h)` over a daily
 * circuit/site series (stamped 00:00–01:00 UTC); region daily series are stamped 01:00–02:00: `lagHours` 2.
 */
export const calendarDays = (ctx: DashCtx, fn: string, sel: string, lagHours = 1): string =>
  `${fn}(${sel}[$__range] offset -${ctx.d(lagHours * HOUR)})`;

/** `fn(sel[N d])` over a daily series: the last N finished UTC days (13 months: MONTHS_13). */
export const lastDays = (ctx: DashCtx, fn: string, sel: string, seconds: number): string => `${fn}(${sel}[${ctx.d(seconds)}])`;

/** The latest sample of a daily series (recorded once a day): for "now" tables and for range queries. */
export const latestDaily = (ctx: DashCtx, sel: string): string => `last_over_time(${sel}[${ctx.d(DAY)}])`;

/** The latest sample within the last `seconds` (a live value that rides out a short gap of its series). */
export const latestWithin = (ctx: DashCtx, sel: string, seconds: number): string => `last_over_time(${sel}[${ctx.d(seconds)}])`;

/**
 * Grafana's end of the dashboard range (the instant of an instant query) in Unix seconds. Used where a rolling
 * window's start T0 is needed inside a subquery, whose own time() is the step's.
 */
export const TO_SECONDS = '${__to:date:seconds}';

/**
 * The longest continuous run above the level within the rolling window W, every circuit, by clock hours (docs/kpis.md,
 * "Rolling window W, every circuit, by clock hours"): the largest of the longest run within each clock hour of the
 * window, within the trailing hour, each run in progress at a clock hour clipped to the window's start T0, and the
 * current run clipped to W. `sel` is the label matcher block, e.g. `{level="$level"}`. Seconds of data.
 */
export function longestRunRolling(ctx: DashCtx, sel: string, seconds: number): string {
  const m = `${R.utilizationLongestRun1h}${sel}`;
  const run = `${R.utilizationRun}${sel}`;
  const range = `[${ctx.w(seconds)}:${ctx.d(HOUR)}]`;
  const t0 = `(${TO_SECONDS} - ${seconds * ctx.timeScale})`;
  const grain = MINUTE * ctx.timeScale;
  const clipped = `(${run} - clamp_min(${run} - (floor((timestamp(${run}) - ${t0}) / ${grain}) + 1) * ${DATA_SECONDS_PER_SAMPLE}, 0))`;
  return `max without (part) (
       label_replace(max_over_time(${m}${range}), "part", "hours", "", "")
    or label_replace(${m}, "part", "last hour", "", "")
    or label_replace(max_over_time(${clipped}${range}), "part", "at hours", "", "")
    or label_replace(clamp_max(${run}, ${seconds}), "part", "now", "", ""))`;
}

/** Availability over a period from up and known minutes (never an average of ratios). */
export const ratioOf = (up: string, known: string): string => `(${up}) / (${known})`;
