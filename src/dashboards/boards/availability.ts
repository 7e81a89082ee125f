import { dashboard, q, regionVariable, timeseries, UID, type PanelSpec } from '../build.js';
import { DAY, HOUR, MINUTE, type DashCtx } from '../context.js';
import type { Dashboard, ThresholdStep } from '../grafana.js';
import { CIRCUIT_ROWS, rankedTable, REGION_ROWS, SITE_ROWS, type Column } from '../offenders.js';
import { calendarDays, clockHours, DAYS_30, DAYS_7, lastDays, latestDaily, MONTHS_13 } from '../periods.js';
import { R, withSite } from '../queries.js';

/**
 * Availability = up minutes / known minutes over the period (never an average of ratios; unknown minutes are in
 * neither): per region, worst sites and worst circuits, for the last 24 h (clock hours), 7 d, 30 d, 13 months
 * (finished UTC days) and the calendar period of the time picker; with up / down / unknown minutes, flaps and
 * failovers. Forms: docs/kpis.md ("Periods").
 */

/** A period and how each KPI reads it: from the hourly series (clock hours) or the daily ones (finished days). */
export interface Period {
  readonly label: string;
  /** `fn` over the period of the hourly series `hourly` or the daily series `daily`, whichever the period reads. */
  read(fn: string, hourly: string, daily: string): string;
  /**
   * Minutes one sample of the series read stands for (60 an hour, 1440 a day): unknown = samples × this − known,
   * i.e. the minutes without data within the hours (days) that have a sample; a wholly unknown hour (day) has none.
   */
  readonly minutesPerSample: number;
}

export function periods(ctx: DashCtx): { day: Period; week: Period; month: Period; year: Period; selected: Period } {
  const days = (label: string, seconds: number): Period => ({ label, read: (fn, _h, d) => lastDays(ctx, fn, d, seconds), minutesPerSample: 1440 });
  return {
    day: { label: '24 h', read: (fn, h) => clockHours(ctx, fn, h, DAY), minutesPerSample: 60 },
    week: days(DAYS_7.label, DAYS_7.seconds),
    month: days(DAYS_30.label, DAYS_30.seconds),
    year: days(MONTHS_13.label, MONTHS_13.seconds),
    selected: { label: 'selected period', read: (fn, _h, d) => calendarDays(ctx, fn, d), minutesPerSample: 1440 },
  };
}

/** Availability colours from the rules' config: red below chronic.availability_below, yellow to halfway to 100 %. */
export const availabilitySteps = (ctx: DashCtx): ThresholdStep[] => {
  const below = ctx.kpi.chronic.availability_below;
  return [{ color: 'red', value: null }, { color: 'yellow', value: below }, { color: 'green', value: (1 + below) / 2 }];
};

const up = (p: Period): string => p.read('sum_over_time', R.upMinutes1h, R.upMinutes1d);
const known = (p: Period): string => p.read('sum_over_time', R.knownMinutes1h, R.knownMinutes1d);
const unknown = (p: Period): string => `${p.read('count_over_time', R.knownMinutes1h, R.knownMinutes1d)} * ${p.minutesPerSample} - ${known(p)}`;

export function availabilityDashboard(ctx: DashCtx): Dashboard {
  const P = periods(ctx);
  const steps = availabilitySteps(ctx);
  const avail = (title: string, expr: string): Column => ({ title, expr, unit: 'percentunit', thresholds: steps, decimals: 3 });
  const mins = (title: string, expr: string): Column => ({ title, expr, unit: 'm' });
  const count = (title: string, expr: string): Column => ({ title, expr, unit: 'none' });
  const circuitRows = 'Rows: circuits of the selected regions; the site name opens the site, the circuit name the circuit.';

  /** Per region: Σ over its circuits, then the ratio. */
  const byRegion = (expr: string): string => `sum by (org_id, region) (${withSite(expr)})`;
  const regionAvail = (p: Period): string => `${byRegion(up(p))} / ${byRegion(known(p))}`;
  const bySite = (expr: string): string => `sum by (org_id, site_id) (${expr})`;
  const siteAvail = (p: Period): string => `${bySite(up(p))} / ${bySite(known(p))}`;
  const all = [P.day, P.week, P.month, P.year, P.selected];

  const regionTable = rankedTable({
    title: 'Availability by region: 24 h, 7 d, 30 d, 13 months, selected period',
    description: 'Per region: up minutes / known minutes of its circuits over the last 24 clock hours, the last 7 / 30 / 395 finished UTC days, and the finished UTC days of the dashboard time range (Today shows nothing until a day has finished: use 24 h). The region opens the region dashboard.',
    rows: REGION_ROWS, rank: 'all',
    columns: all.map((p) => avail(p.label, regionAvail(p))),
  }, 14, 8);

  const regionMinutes = rankedTable({
    title: 'Up, down, unknown minutes, flaps and failovers by region: selected period',
    description: 'Per region over the finished UTC days of the dashboard time range: circuit-minutes up, down (known but not up) and unknown (no fresh data, within the days each circuit has a daily sample), flaps (port down/up events) and failovers.',
    rows: REGION_ROWS, rank: 'all',
    columns: [
      mins('Up', byRegion(up(P.selected))),
      mins('Down', `${byRegion(known(P.selected))} - ${byRegion(up(P.selected))}`),
      mins('Unknown', byRegion(unknown(P.selected))),
      count('Flaps', byRegion(P.selected.read('sum_over_time', R.flaps1h, R.flaps1d))),
      count('Failovers', byRegion(P.selected.read('sum_over_time', R.failovers1h, R.failovers1d))),
    ],
  }, 10, 8);

  const worstSites = rankedTable({
    title: 'Worst sites by availability: 30 d (with 24 h, 7 d, 13 months, selected period)',
    description: 'Per site: up minutes / known minutes over all its circuits, ranked by the last 30 finished UTC days. The site name opens the site, the region the region.',
    rows: SITE_ROWS, rank: 'bottom',
    columns: [P.month, P.day, P.week, P.year, P.selected].map((p) => avail(p.label, siteAvail(p))),
  }, 24, 10);

  const worstCircuits = (p: Period, w: number): ReturnType<typeof rankedTable> => rankedTable({
    title: `Worst circuits by availability: ${p.label}`,
    description: `Per circuit over ${p === P.day ? 'the last 24 clock hours (hourly series)' : p === P.selected ? 'the finished UTC days of the dashboard time range (daily series)' : `the last ${p.label} of finished UTC days (daily series)`}: availability, up / down / unknown minutes (unknown: without fresh data, within the ${p === P.day ? 'hours' : 'days'} that have a sample), flaps and failovers. ${circuitRows}`,
    rows: CIRCUIT_ROWS, rank: 'bottom',
    columns: [
      avail('Availability', `(${up(p)}) / (${known(p)})`),
      mins('Up', up(p)),
      mins('Down', `${known(p)} - ${up(p)}`),
      mins('Unknown', unknown(p)),
      count('Flaps', p.read('sum_over_time', R.flaps1h, R.flaps1d)),
      count('Failovers', p.read('sum_over_time', R.failovers1h, R.failovers1d)),
    ],
  }, w, 10);

  const mostFlaps = rankedTable({
    title: 'Most flapping circuits: 24 h and 7 d',
    description: `Per circuit: flaps (Mist GW_PORT_DOWN / GW_PORT_UP events, exact) in the last 24 clock hours and the last 7 finished UTC days, failovers that left it. ${circuitRows}`,
    rows: CIRCUIT_ROWS, rank: 'top',
    columns: [
      count('Flaps, 24 h', P.day.read('sum_over_time', R.flaps1h, R.flaps1d)),
      count('Flaps, 7 d', P.week.read('sum_over_time', R.flaps1h, R.flaps1d)),
      count('Failovers, 24 h', P.day.read('sum_over_time', R.failovers1h, R.failovers1d)),
      count('Failovers, 7 d', P.week.read('sum_over_time', R.failovers1h, R.failovers1d)),
    ],
  }, 12, 10);

  const regionSel = '{region=~"$region"}';
  const hourly: PanelSpec = {
    title: 'Availability by region, trailing hour',
    description: 'Per region: up minutes / known minutes of its circuits in the trailing hour (recorded every minute).',
    unit: 'percentunit', thresholds: steps, colorMode: 'palette-classic', max: 1, custom: { thresholdsStyle: { mode: 'dashed' } },
    queries: [q(`${R.regionAvailability1h}${regionSel}`, { legend: '{{region}}', interval: ctx.d(MINUTE) })],
  };
  const daily: PanelSpec = {
    title: 'Availability by region, per UTC day',
    description: 'Per region and finished UTC day: up minutes / known minutes of its circuits (region daily rollup, recorded 01:00–02:00 UTC).',
    unit: 'percentunit', thresholds: steps, colorMode: 'palette-classic', max: 1, custom: { drawStyle: 'bars', fillOpacity: 60, thresholdsStyle: { mode: 'dashed' } },
    queries: [q(latestDaily(ctx, `${R.regionAvailability1d}${regionSel}`), { legend: '{{region}}', interval: ctx.d(HOUR) })],
  };
  const states: PanelSpec = {
    title: 'Circuits up, down and unknown',
    description: 'Circuits of the selected regions by state each minute: up, down (port down or gateway disconnected), unknown (no fresh data).',
    unit: 'none', custom: { stacking: { mode: 'normal', group: 'A' }, fillOpacity: 40 },
    overrides: [
      { matcher: { id: 'byName', options: 'down' }, properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: 'red' } }] },
      { matcher: { id: 'byName', options: 'unknown' }, properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: 'gray' } }] },
      { matcher: { id: 'byName', options: 'up' }, properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: 'green' } }] },
    ],
    queries: [
      q(`sum(${R.regionCircuitsUp}${regionSel})`, { legend: 'up', interval: ctx.d(MINUTE) }),
      q(`sum(${R.regionCircuitsDown}${regionSel})`, { legend: 'down', interval: ctx.d(MINUTE) }),
      q(`sum(${R.regionCircuitsUnknown}${regionSel})`, { legend: 'unknown', interval: ctx.d(MINUTE) }),
    ],
  };
  const events: PanelSpec = {
    title: 'Flaps and failovers per UTC day, by region',
    description: 'Per region and finished UTC day: flaps (port down / up events) and failovers of its circuits (region daily rollups).',
    unit: 'none', custom: { drawStyle: 'bars', fillOpacity: 60 },
    queries: [
      q(latestDaily(ctx, `${R.regionFlaps1d}${regionSel}`), { legend: 'flaps {{region}}', interval: ctx.d(HOUR) }),
      q(latestDaily(ctx, `${R.regionFailovers1d}${regionSel}`), { legend: 'failovers {{region}}', interval: ctx.d(HOUR) }),
    ],
  };

  return dashboard({
    uid: UID.availability,
    title: 'Mist WAN / Availability',
    description: 'Availability (up minutes / known minutes) per region, worst sites and circuits for 24 h, 7 d, 30 d, 13 months and the selected calendar period, with up / down / unknown minutes, flaps and failovers; tables export to CSV.',
    questions: [
      'What was the availability of each region over the last day, week, month and 13 months, and over a calendar period (time picker: Yesterday, This week, Previous month …)?',
      'Which sites and circuits had the worst availability, and how many minutes were they down or unknown?',
      'Which circuits flap or fail over most?',
      'Click a region, site or circuit to drill down (region → site → circuit); Executive overview and Time above threshold are in the dashboard links.',
    ],
    variables: [regionVariable()],
    time: { from: 'now-7d', to: 'now' },
    refresh: '5m',
    tags: ['availability'],
    sections: [
      { row: 'By region', panels: [regionTable, regionMinutes, timeseries(hourly, 12, 8), timeseries(daily, 12, 8)] },
      { row: 'Worst sites', panels: [worstSites] },
      { row: 'Worst circuits', panels: [worstCircuits(P.day, 12), worstCircuits(P.week, 12), worstCircuits(P.month, 12), worstCircuits(P.year, 12), worstCircuits(P.selected, 24)] },
      { row: 'Up / down / unknown, flaps and failovers over time', panels: [timeseries(states, 12, 8), timeseries(events, 12, 8), mostFlaps] },
    ],
  });
}
