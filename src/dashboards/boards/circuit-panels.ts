import { LEVEL_COLOURS, q, stat, stateTimeline, table, timeseries, type PanelSpec } from '../build.js';
import { DAY, HOUR, MINUTE, type DashCtx } from '../context.js';
import { CIRCUIT, R } from '../queries.js';
import { LEVELS } from '../../rules/config.js';
import { availabilitySteps, onOff, QUALITY, QUALITY_KINDS, raw, siteThresholds, THRESHOLD_LEGEND, thresholdOverrides } from './drill-queries.js';
import { columnsTable } from './drill-tables.js';

/** The circuit board's utilization, up/down and availability, time above threshold, flaps and failovers panels. */

const C = CIRCUIT;

export function utilizationPanels(ctx: DashCtx) {
  const bytes = (name: string): string => `${name}{${C}} * 8 / (${R.bytesSeconds}{${C}} > 0)`;
  return [
    timeseries({
      title: 'Utilization vs thresholds',
      description: 'Utilization: the larger of receive and transmit bytes over the contracted bandwidth, over 5 minutes '
        + '(the series the congestion thresholds are compared with) and over the trailing hour. Dashed: the thresholds '
        + 'that apply to this circuit (its site\'s region\'s, else the default; mist_kpi:utilization_threshold:ratio).',
      unit: 'percentunit', min: 0, overrides: thresholdOverrides(),
      queries: [
        q(`max(${R.utilization5m}{${C}})`, { legend: '5 minutes', interval: ctx.d(MINUTE) }),
        q(`max(${R.utilization1h}{${C}})`, { legend: 'trailing hour', interval: ctx.d(MINUTE) }),
        q(siteThresholds(R.utilizationThreshold), { legend: THRESHOLD_LEGEND, interval: ctx.d(MINUTE) }),
      ],
    }, 14),
    timeseries({
      title: 'Throughput', description: 'Bits per second each way, per minute (the byte counters\' increase over the data seconds it covers), and the contracted bandwidth (dashed).',
      unit: 'bps', min: 0,
      overrides: ['contracted down', 'contracted up'].map((name) => ({ matcher: { id: 'byName', options: name }, properties: [{ id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } }, { id: 'custom.fillOpacity', value: 0 }] })),
      queries: [
        q(`max(${bytes(R.receiveBytes)})`, { legend: 'down (receive)', interval: ctx.d(MINUTE) }),
        q(`max(${bytes(R.transmitBytes)})`, { legend: 'up (transmit)', interval: ctx.d(MINUTE) }),
        q(`max(${raw('mist_wan_port_receive_bandwidth_bytes_per_second', C)}) * 8`, { legend: 'contracted down' }),
        q(`max(${raw('mist_wan_port_transmit_bandwidth_bytes_per_second', C)}) * 8`, { legend: 'contracted up' }),
      ],
    }, 10),
  ];
}

export function statusPanels(ctx: DashCtx) {
  const gatewayUp = `max(${raw('mist_gateway_up', 'site_id="$site_id"')} and on (org_id, site_id, mac) group by (org_id, site_id, mac) (${raw('mist_wan_port_info', C)}))`;
  const hours = (w: number, name: string): string => `sum_over_time(${name}{${C}}[${ctx.w(w)}:${ctx.d(HOUR)}])`;
  const days = (w: number, name: string): string => `sum_over_time(${name}{${C}}[${ctx.d(w)}])`;
  return [
    stateTimeline({
      title: 'Up / down timeline',
      description: 'Per minute: the circuit up or down (down: its port is down or its gateway is disconnected; blank: unknown, no fresh data), whether it carries the gateway\'s traffic, and whether the gateway is connected to the Mist cloud.',
      unit: 'none', mappings: onOff('Down', 'red', 'Up', 'green'),
      overrides: [
        { matcher: { id: 'byName', options: 'carries traffic' }, properties: [{ id: 'mappings', value: onOff('Standby', 'text', 'Active', 'blue') }] },
        { matcher: { id: 'byName', options: 'gateway' }, properties: [{ id: 'mappings', value: onOff('Disconnected', 'red', 'Connected', 'green') }] },
      ],
      queries: [
        q(`max(${R.circuitUp}{${C}})`, { legend: 'circuit', interval: ctx.d(MINUTE) }),
        q(`max(${raw('mist_wan_port_active', C)})`, { legend: 'carries traffic' }),
        q(gatewayUp, { legend: 'gateway' }),
      ],
    }, 24, 5),
    timeseries({
      title: 'Availability per hour', description: 'Up minutes over known minutes in the trailing hour (unknown minutes count neither way). Red below the availability that makes a chronic-offender day.',
      unit: 'percentunit', decimals: 2, max: 1, thresholds: availabilitySteps(ctx), custom: { thresholdsStyle: { mode: 'dashed' } },
      queries: [q(`max(${R.availability1h}{${C}})`, { legend: 'availability (trailing hour)', interval: ctx.d(MINUTE) })],
    }, 12),
    stat({
      title: 'Availability', description: 'Up minutes over known minutes: the last 24 hours (to the minute), the last 7 and 30 days (whole clock hours) and 13 months (whole UTC days; empty until the first day is recorded).',
      unit: 'percentunit', decimals: 3, thresholds: availabilitySteps(ctx), options: { textMode: 'value_and_name', orientation: 'vertical' },
      queries: [
        q(`avg_over_time(${R.circuitUp}{${C}}[${ctx.w(DAY)}])`, { legend: '24 hours' }),
        q(`${hours(7 * DAY, R.upMinutes1h)} / ${hours(7 * DAY, R.knownMinutes1h)}`, { legend: '7 days' }),
        q(`${hours(30 * DAY, R.upMinutes1h)} / ${hours(30 * DAY, R.knownMinutes1h)}`, { legend: '30 days' }),
        q(`${days(395 * DAY, R.upMinutes1d)} / ${days(395 * DAY, R.knownMinutes1d)}`, { legend: '13 months' }),
      ],
    }, 6),
    stat({
      title: 'Up and down time', description: 'Time up and time down over the dashboard\'s time range (minutes with a known status; unknown minutes are in neither).',
      unit: 's', decimals: 0, colorMode: 'fixed', options: { textMode: 'value_and_name', orientation: 'vertical', colorMode: 'none' },
      queries: [
        q(`sum_over_time(${R.circuitUp}{${C}}[$__range]) * 60`, { legend: 'up' }),
        q(`(count_over_time(${R.circuitUp}{${C}}[$__range]) - sum_over_time(${R.circuitUp}{${C}}[$__range])) * 60`, { legend: 'down' }),
      ],
    }, 6),
  ];
}

export function qualityPanels(ctx: DashCtx, quality: (k: (typeof QUALITY_KINDS)[number]) => string) {
  return QUALITY_KINDS.map((k) => timeseries({
    title: `${QUALITY[k].title} vs thresholds`,
    description: `The circuit's ${k} per minute: the mean over its up VPN paths (a hub circuit: over the up paths that end on it). Dashed: the thresholds that apply to it.`,
    unit: QUALITY[k].unit, min: 0, overrides: thresholdOverrides(),
    queries: [
      q(`max(${quality(k)})`, { legend: k, interval: ctx.d(MINUTE) }),
      q(siteThresholds(QUALITY[k].threshold), { legend: THRESHOLD_LEGEND, interval: ctx.d(MINUTE) }),
    ],
  }, 8));
}

/** Longest run above each level within the dashboard's range: the run series clipped to the range's start (docs/kpis.md). */
function longestRun(ctx: DashCtx): string {
  const run = `${R.utilizationRun}{${C}}`;
  const grain = 60 * ctx.timeScale;
  return `max by (level) (max_over_time((${run} - clamp_min(${run} - (floor((timestamp(${run}) - \${__from:date:seconds}) / ${grain}) + 1) * 60, 0))[$__range:${ctx.d(60)}]))`;
}

function timeAboveTable(ctx: DashCtx): PanelSpec {
  const cumulative = (name: string): string => `sum by (level) (sum_over_time(${name}{${C}}[$__range])) * 60`;
  return {
    title: 'Time above threshold over the time range',
    description: 'Per threshold level: the cumulative time the circuit spent at or above it over the dashboard\'s time range '
      + '(utilization, 5-minute; loss, latency and jitter, per minute) and the longest continuous run of utilization above it '
      + 'within the range (a run that began before the range counts from its start). A hub circuit originates no VPN path, '
      + 'so it has no recorded quality: its loss, latency and jitter columns stay empty.',
    unit: 's',
    ...columnsTable([
      { title: 'Utilization, cumulative', expr: cumulative(R.utilizationBreach), unit: 's' },
      { title: 'Utilization, longest run', expr: longestRun(ctx), unit: 's' },
      { title: 'Loss, cumulative', expr: cumulative(R.lossBreach), unit: 's' },
      { title: 'Latency, cumulative', expr: cumulative(R.latencyBreach), unit: 's' },
      { title: 'Jitter, cumulative', expr: cumulative(R.jitterBreach), unit: 's' },
    ], { labels: { level: 'Level' }, sortBy: 'Utilization, cumulative' }),
  };
}

export function thresholdPanels(ctx: DashCtx) {
  return [
    table(timeAboveTable(ctx), 10, 6),
    timeseries({
      title: 'Time above per hour', description: 'Seconds of the trailing hour the circuit\'s 5-minute utilization was at or above each level (cumulative mode).',
      unit: 's', min: 0, max: 3600, overrides: levelColours(),
      queries: [q(`max by (level) (${R.utilizationBreachSeconds1h}{${C}})`, { legend: '{{level}}', interval: ctx.d(MINUTE) })],
    }, 7, 6),
    timeseries({
      title: 'Current run above', description: 'How long the utilization has been at or above each level without a break (continuous mode); 0 when below.',
      unit: 's', min: 0, overrides: levelColours(),
      queries: [q(`max by (level) (${R.utilizationRun}{${C}})`, { legend: '{{level}}', interval: ctx.d(MINUTE) })],
    }, 7, 6),
  ];
}

const levelColours = () => LEVELS.map((level) => ({
  matcher: { id: 'byName', options: level },
  properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: LEVEL_COLOURS[level] } }],
}));

export function eventPanels(ctx: DashCtx) {
  const away = `sum(${R.failovers}{${C}}) or vector(0)`;
  const onto = `sum(${R.failovers}{site_id="$site_id", to_port_id="$port_id"}) or vector(0)`;
  const total = (expr: string): string => `sum(sum_over_time(${expr}[$__range])) or vector(0)`;
  return [
    timeseries({
      title: 'Flaps and failovers', description: 'Per minute: port state changes (flaps: Mist\'s GW_PORT_DOWN and GW_PORT_UP events), failovers away from this circuit (it was the primary) and onto it.',
      unit: 'none', decimals: 0, min: 0, custom: { drawStyle: 'bars', fillOpacity: 80, lineWidth: 1 },
      queries: [
        q(`sum(${R.flaps}{${C}}) or vector(0)`, { legend: 'flaps', interval: ctx.d(MINUTE) }),
        q(away, { legend: 'failovers away', interval: ctx.d(MINUTE) }),
        q(onto, { legend: 'failovers onto', interval: ctx.d(MINUTE) }),
      ],
    }, 16, 6),
    stat({
      title: 'Flaps and failovers over the time range', description: 'Totals over the dashboard\'s time range.',
      unit: 'none', decimals: 0, thresholds: [{ color: 'green', value: null }, { color: 'orange', value: 1 }],
      options: { textMode: 'value_and_name', orientation: 'vertical' },
      queries: [
        q(total(`${R.flaps}{${C}}`), { legend: 'flaps' }),
        q(total(`${R.failovers}{${C}}`), { legend: 'failovers away' }),
        q(total(`${R.failovers}{site_id="$site_id", to_port_id="$port_id"}`), { legend: 'failovers onto' }),
      ],
    }, 8, 6),
  ];
}
