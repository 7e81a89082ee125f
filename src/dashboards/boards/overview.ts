import type { Level } from '../../rules/config.js';
import {
  anyIsBad, bargauge, dashboard, levelSteps, lowIsBad, q, regionVariable, stat, timeseries, UID, type PanelSpec,
} from '../build.js';
import { DAY, HOUR, MINUTE, type DashCtx } from '../context.js';
import type { Dashboard, ThresholdStep } from '../grafana.js';
import { CIRCUIT_ROWS, perLabel, rankedTable, REGION_ROWS, SITE_ROWS, type Column } from '../offenders.js';
import { clockHours, DAYS_30, DAYS_7, lastDays, latestDaily, latestWithin, MONTHS_13, type Window } from '../periods.js';
import { metric, R, withSite } from '../queries.js';
import { availabilitySteps } from './availability.js';
import { timeAboveSteps } from './thresholds.js';

/**
 * Executive overview: how the WAN is doing now and over 24 h / 7 d / 30 d / 13 months, by region; who the top and
 * chronic offenders are; the SLE. Reads the region rollups and the daily series (cheap at any org size); the
 * tables drill down to region → site → circuit.
 */

const REGION = '{region=~"$region"}';

export function overviewDashboard(ctx: DashCtx): Dashboard {
  const congestion: Level = ctx.kpi.alerts.congestion_level;
  const quality: Level = ctx.kpi.alerts.path_quality_level;
  const avSteps = availabilitySteps(ctx);
  const sleBelow = ctx.kpi.alerts.sle_below;
  const sleSteps: ThresholdStep[] = lowIsBad(sleBelow, (1 + sleBelow) / 2);
  const sumRegion = (name: string, extra = ''): string => `sum(${name}{region=~"$region"${extra}}) or vector(0)`;

  // ------------------------------------------------------------ now
  const nowStat = (title: string, description: string, expr: string, steps: ThresholdStep[]): ReturnType<typeof stat> =>
    stat({ title, description, unit: 'none', thresholds: steps, queries: [q(expr)] });
  const degraded = `count(${withSite(`max by (org_id, site_id, mac, port_id) (${[R.lossBreach, R.latencyBreach, R.jitterBreach]
    .map((n) => `${n}{level="${quality}"} == 1`).join(' or ')})`)}) or vector(0)`;
  const nowStats = [
    nowStat('Sites down', 'Sites of the selected regions with no circuit up (or their gateway disconnected) now.', sumRegion(R.regionSitesDown), anyIsBad()),
    nowStat('Circuits down', 'Circuits down now: port down, or their gateway disconnected from the Mist cloud.', sumRegion(R.regionCircuitsDown), anyIsBad()),
    nowStat('Circuits unknown', 'Circuits with no fresh data now (stale or missing family): neither up nor down.', sumRegion(R.regionCircuitsUnknown), anyIsBad('yellow')),
    nowStat(`Degraded circuits (${quality})`, `Circuits whose loss, latency or jitter (mean over their up VPN paths) is at or above the ${quality} threshold now (the alerts' path quality level).`, degraded, anyIsBad('orange')),
    nowStat('Gateways on secondary', 'Gateways running on a circuit other than their primary now (failed over).', sumRegion(R.regionOnSecondary), anyIsBad('orange')),
    nowStat(`Congested circuits (${congestion})`, `Circuits whose 5-minute utilization is at or above the ${congestion} threshold now (the alerts' congestion level).`, sumRegion(R.regionCongested, `, level="${congestion}"`), anyIsBad('orange')),
  ];

  const regionsNow = rankedTable({
    title: 'Regions now',
    description: 'Per region: circuits up / down / unknown; sites down; gateways on secondary; circuits congested now; availability over the trailing hour. Click a region to open its dashboard.',
    rows: REGION_ROWS, rank: 'all', sortBy: { column: 'Availability, last hour', desc: false },
    columns: [
      { title: 'Availability, last hour', expr: `${R.regionAvailability1h}${REGION}`, unit: 'percentunit', thresholds: avSteps, decimals: 3 },
      { title: 'Circuits up', expr: `${R.regionCircuitsUp}${REGION}`, unit: 'none' },
      { title: 'Circuits down', expr: `${R.regionCircuitsDown}${REGION}`, unit: 'none', thresholds: anyIsBad() },
      { title: 'Circuits unknown', expr: `${R.regionCircuitsUnknown}${REGION}`, unit: 'none', thresholds: anyIsBad('yellow') },
      { title: 'Sites down', expr: `${R.regionSitesDown}${REGION}`, unit: 'none', thresholds: anyIsBad() },
      { title: 'On secondary', expr: `${R.regionOnSecondary}${REGION}`, unit: 'none', thresholds: anyIsBad('orange') },
      { title: `Congested (${congestion})`, expr: `max without (level) (${R.regionCongested}{region=~"$region", level="${congestion}"})`, unit: 'none', thresholds: anyIsBad('orange') },
    ],
  }, 24, 7);

  // ------------------------------------------------------------ trends by region
  const trend = (title: string, description: string, name: string, unit: string, steps?: ThresholdStep[]): ReturnType<typeof timeseries> => {
    const spec: PanelSpec = { title, description, unit, queries: [q(`${name}${REGION}`, { legend: '{{region}}', interval: ctx.d(MINUTE) })] };
    if (steps) {
      spec.thresholds = steps;
      spec.custom = { thresholdsStyle: { mode: 'dashed' } };
      spec.colorMode = 'palette-classic';
    }
    return timeseries(spec, 8, 7);
  };
  const th = ctx.kpi.thresholds;
  const trends = [
    trend('Availability by region (trailing hour)', 'Per region: up minutes / known minutes of its circuits in the trailing hour.', R.regionAvailability1h, 'percentunit', avSteps),
    trend('Utilization p95 by region', 'Per region: the 95th percentile over its circuits of the 5-minute utilization; dashed lines at the warning / major / critical thresholds.', R.regionUtilizationP95, 'percentunit', levelSteps(th.utilization)),
    trend('Circuits down by region', 'Per region: circuits down (port down or gateway disconnected).', R.regionCircuitsDown, 'none'),
    trend('Loss by region (hourly mean)', 'Per region: mean over its circuits of the trailing hour\'s mean loss (VPN paths).', R.regionLossAvg1h, 'percentunit', levelSteps(th.loss_ratio)),
    trend('Latency by region (hourly mean)', 'Per region: mean over its circuits of the trailing hour\'s mean latency (VPN paths).', R.regionLatencyAvg1h, 's', levelSteps(th.latency_seconds)),
    trend('Jitter by region (hourly mean)', 'Per region: mean over its circuits of the trailing hour\'s mean jitter (VPN paths).', R.regionJitterAvg1h, 's', levelSteps(th.jitter_seconds)),
  ];

  // ------------------------------------------------------------ daily trends by region (region daily rollups)
  const dailyTrend = (title: string, description: string, exprs: readonly { expr: string; legend: string }[], unit: string, steps?: ThresholdStep[]): ReturnType<typeof timeseries> => {
    const spec: PanelSpec = {
      title, unit,
      description: `${description} One point per finished UTC day (region daily rollups, recorded 01:00–02:00 UTC).`,
      custom: { drawStyle: 'line', lineInterpolation: 'stepAfter', fillOpacity: 10, ...(steps ? { thresholdsStyle: { mode: 'dashed' } } : {}) },
      queries: exprs.map((e) => q(latestDaily(ctx, e.expr), { legend: e.legend, interval: ctx.d(HOUR) })),
    };
    if (steps) {
      spec.thresholds = steps;
      spec.colorMode = 'palette-classic';
    }
    return timeseries(spec, 8, 7);
  };
  const dailyTrends = [
    dailyTrend('Availability by region, per day', 'Per region: up minutes / known minutes of its circuits per UTC day.', [{ expr: `${R.regionAvailability1d}${REGION}`, legend: '{{region}}' }], 'percentunit', avSteps),
    dailyTrend(`Time congested (${congestion}) by region, per day`, `Per region: circuit time at or above the ${congestion} utilization threshold per UTC day, summed over its circuits.`,
      [{ expr: `${R.regionUtilizationBreachSeconds1d}{region=~"$region", level="${congestion}"}`, legend: '{{region}}' }], 'dtdurations'),
    dailyTrend('Failovers and flaps by region, per day', 'Per region: failovers and flaps of its circuits per UTC day.', [
      { expr: `${R.regionFailovers1d}${REGION}`, legend: 'failovers {{region}}' },
      { expr: `${R.regionFlaps1d}${REGION}`, legend: 'flaps {{region}}' },
    ], 'none'),
    dailyTrend('Loss by region, per day', 'Per region: mean over its circuits of the day\'s mean loss (VPN paths).', [{ expr: `${R.regionLossAvg1d}${REGION}`, legend: '{{region}}' }], 'percentunit', levelSteps(th.loss_ratio)),
    dailyTrend('Latency by region, per day', 'Per region: mean over its circuits of the day\'s mean latency (VPN paths).', [{ expr: `${R.regionLatencyAvg1d}${REGION}`, legend: '{{region}}' }], 's', levelSteps(th.latency_seconds)),
    dailyTrend('Jitter by region, per day', 'Per region: mean over its circuits of the day\'s mean jitter (VPN paths).', [{ expr: `${R.regionJitterAvg1d}${REGION}`, legend: '{{region}}' }], 's', levelSteps(th.jitter_seconds)),
  ];

  // ------------------------------------------------------------ 24 h / 7 d / 30 d / 13 months
  const congestedLevel = `{level="${congestion}"}`;
  /** A circuit series summed over the selected regions. */
  const total = (expr: string): string => `sum(${withSite(expr)})`;
  /** A region daily series summed over the selected regions and the window's days (or 0). */
  const regionDays = (name: string, w: Window, extra = ''): string =>
    `sum(${lastDays(ctx, 'sum_over_time', `${name}{region=~"$region"${extra}}`, w.seconds)}) or vector(0)`;
  const day: Window = { label: '24 h', seconds: DAY };
  const windows = [day, DAYS_7, DAYS_30, MONTHS_13];
  const scorecard = windows.flatMap((w) => {
    const hourly = w === day;
    const upKnown = hourly
      ? [clockHours(ctx, 'sum_over_time', R.upMinutes1h, DAY), clockHours(ctx, 'sum_over_time', R.knownMinutes1h, DAY)]
      : [lastDays(ctx, 'sum_over_time', R.upMinutes1d, w.seconds), lastDays(ctx, 'sum_over_time', R.knownMinutes1d, w.seconds)];
    const source = hourly ? 'the last 24 clock hours (hourly series)' : `the last ${w.label === MONTHS_13.label ? '395' : w.label.replace(' d', '')} finished UTC days (daily series)`;
    const s = (title: string, description: string, unit: string, expr: string, steps?: ThresholdStep[], decimals?: number): ReturnType<typeof stat> => {
      const spec: PanelSpec = { title: `${title}, ${w.label}`, description: `${description} Over ${source}, selected regions.`, unit, queries: [q(expr)] };
      if (steps) spec.thresholds = steps;
      else spec.colorMode = 'fixed';
      if (decimals !== undefined) spec.decimals = decimals;
      return stat(spec, 6, 3);
    };
    return [
      s('Availability', 'Up minutes / known minutes of all circuits.', 'percentunit', `${total(upKnown[0]!)} / ${total(upKnown[1]!)}`, avSteps, 3),
      s(`Time congested (${congestion})`, `Circuit time at or above the ${congestion} utilization threshold, summed over circuits.`, 'dtdurations',
        hourly ? `${total(clockHours(ctx, 'sum_over_time', `${R.utilizationBreachSeconds1h}${congestedLevel}`, DAY))} or vector(0)`
          : regionDays(R.regionUtilizationBreachSeconds1d, w, `, level="${congestion}"`), timeAboveSteps(ctx)),
      s('Failovers', 'Failovers (the gateway left a circuit for another).', 'none',
        hourly ? `${total(clockHours(ctx, 'sum_over_time', R.failovers1h, DAY))} or vector(0)` : regionDays(R.regionFailovers1d, w)),
      s('Flaps', 'Circuit flaps (Mist port down / up events).', 'none',
        hourly ? `${total(clockHours(ctx, 'sum_over_time', R.flaps1h, DAY))} or vector(0)` : regionDays(R.regionFlaps1d, w)),
    ];
  });

  // ------------------------------------------------------------ top offenders (24 h)
  const circuitNote = 'The site name opens the site, the circuit name the circuit.';
  const util = (title: string, expr: string): Column => ({ title, expr, unit: 'percentunit', thresholds: levelSteps(th.utilization) });
  const busiest = rankedTable({
    title: 'Busiest circuits, 24 h',
    description: `Per circuit: the utilization of its busiest clock hour in the last 24 h, and its latest 5-minute utilization (within the last 5 minutes). ${circuitNote}`,
    rows: CIRCUIT_ROWS, rank: 'top', n: 10,
    columns: [util('Busiest hour, 24 h', clockHours(ctx, 'max_over_time', R.utilization1h, DAY)), util('Latest 5 min', latestWithin(ctx, R.utilization5m, 5 * MINUTE))],
  }, 8, 9);
  const leastAvailable = rankedTable({
    title: 'Least available circuits, 24 h',
    description: `Per circuit: availability (up / known minutes) and down minutes in the last 24 clock hours. ${circuitNote}`,
    rows: CIRCUIT_ROWS, rank: 'bottom', n: 10,
    columns: [
      { title: 'Availability, 24 h', expr: `${clockHours(ctx, 'sum_over_time', R.upMinutes1h, DAY)} / ${clockHours(ctx, 'sum_over_time', R.knownMinutes1h, DAY)}`, unit: 'percentunit', thresholds: avSteps, decimals: 3 },
      { title: 'Down minutes, 24 h', expr: `${clockHours(ctx, 'sum_over_time', R.knownMinutes1h, DAY)} - ${clockHours(ctx, 'sum_over_time', R.upMinutes1h, DAY)}`, unit: 'm' },
    ],
  }, 8, 9);
  const flapping = rankedTable({
    title: 'Most flapping circuits, 24 h',
    description: `Per circuit: flaps (port down / up events) and failovers that left it in the last 24 clock hours. ${circuitNote}`,
    rows: CIRCUIT_ROWS, rank: 'top', n: 10,
    columns: [
      { title: 'Flaps, 24 h', expr: clockHours(ctx, 'sum_over_time', R.flaps1h, DAY), unit: 'none', thresholds: anyIsBad('orange') },
      { title: 'Failovers, 24 h', expr: clockHours(ctx, 'sum_over_time', R.failovers1h, DAY), unit: 'none' },
    ],
  }, 8, 9);

  // ------------------------------------------------------------ chronic offenders (daily series)
  const { days, of_days: ofDays } = ctx.kpi.chronic;
  const chronicNote = `A breach day: at least ${ctx.kpi.chronic.min_minutes} minutes at or above the ${ctx.kpi.chronic.level} level in a UTC day (availability: below ${ctx.kpi.chronic.availability_below * 100} %); chronic: ${days} of the last ${ofDays} days.`;
  const breachDaySteps: ThresholdStep[] = [{ color: 'green', value: null }, { color: 'yellow', value: 1 }, { color: 'red', value: days }];
  const chronicSites = rankedTable({
    title: 'Chronic offender sites',
    description: `Per site and KPI: breach days among the last ${ofDays} UTC days, and whether that makes it a chronic offender (latest daily sample). ${chronicNote} The site name opens the site.`,
    rows: perLabel(SITE_ROWS, 'kpi'), rank: 'top', n: 20,
    columns: [
      { title: `Breach days of ${ofDays}`, expr: latestDaily(ctx, R.siteBreachDays), unit: 'none', thresholds: breachDaySteps },
      { title: 'Chronic', expr: latestDaily(ctx, R.siteChronicOffender), unit: 'none', thresholds: anyIsBad() },
    ],
  }, 12, 10);
  const chronicCircuits = rankedTable({
    title: 'Chronic offender circuits',
    description: `Per circuit and KPI: breach days among the last ${ofDays} UTC days, and whether that makes it a chronic offender (latest daily sample). ${chronicNote} ${circuitNote}`,
    rows: perLabel(CIRCUIT_ROWS, 'kpi'), rank: 'top', n: 20,
    columns: [
      { title: `Breach days of ${ofDays}`, expr: latestDaily(ctx, R.breachDays), unit: 'none', thresholds: breachDaySteps },
      { title: 'Chronic', expr: latestDaily(ctx, R.chronicOffender), unit: 'none', thresholds: anyIsBad() },
    ],
  }, 12, 10);
  const chronicByKpi = bargauge({
    title: 'Chronic offender circuits by KPI',
    description: `Circuits of the selected regions that are chronic offenders per KPI (region daily rollup, latest day). ${chronicNote}`,
    unit: 'none', thresholds: anyIsBad('orange'), min: 0,
    options: { legend: { displayMode: 'list', placement: 'bottom', showLegend: false, calcs: [] } },
    queries: [q(`sum by (kpi) (${latestDaily(ctx, `${R.regionChronicOffenders}${REGION}`)})`, { legend: '{{kpi}}' })],
  }, 24, 5);

  // ------------------------------------------------------------ SLE
  const sle = `max without (instance, job) (${metric('mist_site_sle_ratio')})`;
  const sleByRegion = timeseries({
    title: 'WAN SLE by region',
    description: 'Per region and SLE (gateway health, WAN link health, application health): mean over its sites of the Mist WAN SLE score (share of user-minutes not degraded, last hour).',
    unit: 'percentunit', max: 1, thresholds: sleSteps, colorMode: 'palette-classic', custom: { thresholdsStyle: { mode: 'dashed' } },
    queries: [q(`avg by (region, sle) (${withSite(sle)})`, { legend: '{{region}} {{sle}}', interval: ctx.d(MINUTE) })],
  }, 12, 9);
  const worstSle = rankedTable({
    title: 'Worst sites by WAN SLE now',
    description: `Per site and SLE: the Mist WAN SLE score over the last hour, lowest first (red below ${sleBelow * 100} %, the alert's level). The site name opens the site (its SLE classifiers and impacted interfaces).`,
    rows: perLabel(SITE_ROWS, 'sle'), rank: 'bottom', n: 15,
    columns: [{ title: 'SLE', expr: sle, unit: 'percentunit', thresholds: sleSteps, decimals: 3 }],
  }, 12, 9);

  return dashboard({
    uid: UID.overview,
    title: 'Mist WAN / Executive overview',
    description: 'Availability, congestion and quality by region; sites and circuits down, degraded, on secondary now; 24 h / 7 d / 30 d / 13-month scorecard; top and chronic offenders; WAN SLE.',
    questions: [
      'How many sites and circuits are down, degraded, congested or on their secondary right now, and in which region?',
      'How are availability, congestion and quality trending per region?',
      'What were availability, time congested, failovers and flaps over the last 24 h, 7 d, 30 d and 13 months?',
      'Which circuits are the top offenders today, and which sites and circuits are chronic offenders?',
      'How healthy is the WAN SLE per region, and which sites score worst?',
      'Drill down: click a region, site or circuit (region → site → circuit); NOC live, Availability and Time above threshold are in the dashboard links.',
    ],
    variables: [regionVariable()],
    time: { from: 'now-30d', to: 'now' },
    refresh: '5m',
    tags: ['overview'],
    sections: [
      { row: 'Now', panels: [...nowStats, regionsNow] },
      { row: 'Trends by region (live, hourly)', panels: trends },
      { row: 'Daily trends by region', panels: dailyTrends },
      { row: 'Scorecard: 24 h / 7 d / 30 d / 13 months', panels: scorecard },
      { row: 'Top offenders, 24 h', panels: [busiest, leastAvailable, flapping] },
      { row: 'Chronic offenders', panels: [chronicByKpi, chronicSites, chronicCircuits] },
      { row: 'WAN SLE', panels: [sleByRegion, worstSle] },
    ],
  });
}
