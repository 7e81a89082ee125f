import { drill, levelSteps, q, stateTimeline, table, timeseries, UID, type PanelSpec } from '../build.js';
import { DAY, MINUTE, type DashCtx } from '../context.js';
import { R, SITE, withCircuit } from '../queries.js';
import {
  availabilitySteps, circuitQuality, onOff, QUALITY, QUALITY_KINDS, qualitySteps, raw, seriesLinks, siteThresholds, THRESHOLD_LEGEND,
  thresholdOverrides, TOWARDS, type QualityKind,
} from './drill-queries.js';
import { columnsTable } from './drill-tables.js';

/** The site board's circuit panels: the circuits table (→ circuit board), utilization, up/down, quality per circuit. */

const CIRCUIT_LEGEND = '{{wan_name}} ({{role}})';
const CIRCUIT_LINK = drill('Open the circuit', UID.circuit, { site_id: '${__data.fields.site_id}', port_id: '${__data.fields.port_id}' });
const SERIES_LINK = drill('Open the circuit', UID.circuit, { site_id: '${__field.labels.site_id}', port_id: '${__field.labels.port_id}' });

function circuitsTable(ctx: DashCtx): PanelSpec {
  const c = (expr: string): string => withCircuit(expr, SITE);
  const t = ctx.kpi.thresholds;
  const quality = (k: QualityKind) => ({
    title: QUALITY[k].title, expr: c(circuitQuality(QUALITY[k].recorded, QUALITY[k].path, SITE, TOWARDS.site)),
    unit: QUALITY[k].unit, thresholds: qualitySteps(ctx, k), colour: true,
  });
  return {
    title: 'Circuits of ${site_id:text}',
    description: 'Each WAN circuit of the site: name, role, provider and circuit id (circuit inventory), contracted bandwidth '
      + 'per direction, status now (down: port down or gateway disconnected; empty: unknown), whether it carries the traffic, '
      + 'its 5-minute utilization, quality now (mean over its up VPN paths; a hub circuit: over the paths that end on it), '
      + 'availability over the last 24 h and flaps in 24 h. Click a circuit to open it.',
    unit: 'none',
    ...columnsTable([
      { title: 'Status', expr: c(`${R.circuitUp}{${SITE}}`), unit: 'none', mappings: onOff('Down', 'red', 'Up', 'green'), colour: true },
      { title: 'Carries traffic', expr: c(raw('mist_wan_port_active', SITE)), unit: 'none', mappings: onOff('Standby', 'text', 'Active', 'blue'), colour: true },
      { title: 'Bandwidth down', expr: c(`${raw('mist_wan_port_receive_bandwidth_bytes_per_second', SITE)} * 8`), unit: 'bps' },
      { title: 'Bandwidth up', expr: c(`${raw('mist_wan_port_transmit_bandwidth_bytes_per_second', SITE)} * 8`), unit: 'bps' },
      { title: 'Utilization', expr: c(`${R.utilization5m}{${SITE}}`), unit: 'percentunit', thresholds: levelSteps(t.utilization), colour: true },
      quality('loss'), quality('latency'), quality('jitter'),
      {
        title: 'Availability 24h', expr: c(`sum_over_time(${R.circuitUp}{${SITE}}[${ctx.w(DAY)}]) / count_over_time(${R.circuitUp}{${SITE}}[${ctx.w(DAY)}])`),
        unit: 'percentunit', decimals: 2, thresholds: availabilitySteps(ctx), colour: true,
      },
      { title: 'Flaps 24h', expr: c(`sum_over_time(${R.flaps}{${SITE}}[${ctx.w(DAY)}])`), unit: 'none', decimals: 0, thresholds: [{ color: 'green', value: null }, { color: 'orange', value: 1 }], colour: true },
    ], {
      labels: { wan_name: 'Circuit', role: 'Role', provider: 'Provider', circuit_id: 'Circuit id', port_id: 'Port' },
      hidden: ['site_id', 'mac'],
      exclude: ['org_id'],
      links: [{ column: 'Circuit', links: [CIRCUIT_LINK] }],
      sortBy: 'Status', asc: true,
    }),
  };
}

export function circuitPanels(ctx: DashCtx) {
  return [
    table(circuitsTable(ctx), 24, 8),
    timeseries({
      title: 'Utilization per circuit (5 min)',
      description: 'Each circuit\'s utilization: the larger of receive and transmit bytes over the contracted bandwidth, over 5 minutes. Dashed: the thresholds that apply to this site (its region\'s, else the default).',
      unit: 'percentunit', min: 0, overrides: [seriesLinks([SERIES_LINK], 'A'), ...thresholdOverrides()],
      queries: [
        q(withCircuit(`${R.utilization5m}{${SITE}}`, SITE), { legend: CIRCUIT_LEGEND, interval: ctx.d(MINUTE) }),
        q(siteThresholds(R.utilizationThreshold), { legend: THRESHOLD_LEGEND, interval: ctx.d(MINUTE) }),
      ],
    }, 12),
    stateTimeline({
      title: 'Up / down per circuit',
      description: 'Each circuit per minute: up, down (port down or gateway disconnected) or blank (unknown: no fresh data).',
      unit: 'none', mappings: onOff('Down', 'red', 'Up', 'green'), overrides: [seriesLinks([SERIES_LINK])],
      queries: [q(withCircuit(`${R.circuitUp}{${SITE}}`, SITE), { legend: CIRCUIT_LEGEND, interval: ctx.d(MINUTE) })],
    }, 12, 8),
    ...QUALITY_KINDS.map((k) => timeseries({
      title: `${QUALITY[k].title} per circuit`,
      description: `Each circuit's ${k} per minute: the mean over its up VPN paths (a hub circuit: over the up paths that end on it). Dashed: the thresholds that apply to this site.`,
      unit: QUALITY[k].unit, min: 0, overrides: [seriesLinks([SERIES_LINK], 'A'), ...thresholdOverrides()],
      queries: [
        q(withCircuit(circuitQuality(QUALITY[k].recorded, QUALITY[k].path, SITE, TOWARDS.site), SITE), { legend: CIRCUIT_LEGEND, interval: ctx.d(MINUTE) }),
        q(siteThresholds(QUALITY[k].threshold), { legend: THRESHOLD_LEGEND, interval: ctx.d(MINUTE) }),
      ],
    }, 8)),
  ];
}
