import {
  circuitVariable, dashboard, drill, levelSteps, q, regionVariable, siteVariable, stat, table, UID,
} from '../build.js';
import type { DashCtx } from '../context.js';
import type { Dashboard } from '../grafana.js';
import { CIRCUIT, R, withSite } from '../queries.js';
import { eventPanels, qualityPanels, statusPanels, thresholdPanels, utilizationPanels } from './circuit-panels.js';
import {
  availabilitySteps, circuitQuality, gatewayMacVariable, onOff, QUALITY, QUALITY_KINDS, qualitySteps, raw, TOWARDS, withGateway, type QualityKind,
} from './drill-queries.js';
import { pathsTable } from './site-events.js';

/** Circuit: one WAN circuit ($site_id, $port_id): utilization vs thresholds, up/down, quality, time above, flaps, failovers. */

const C = CIRCUIT;
const quality = (k: QualityKind): string => circuitQuality(QUALITY[k].recorded, QUALITY[k].path, C, TOWARDS.circuit);

function nowStats(ctx: DashCtx) {
  return [
    stat({
      title: 'Status', description: 'Up or down now (down: port down or gateway disconnected); "Unknown" without fresh data.',
      unit: 'none', mappings: onOff('Down', 'red', 'Up', 'green'), noValue: 'Unknown',
      queries: [q(`max(${R.circuitUp}{${C}})`)],
    }, 3),
    stat({
      title: 'Traffic', description: 'Whether this circuit carries the gateway\'s traffic (its active VPN paths) now.',
      unit: 'none', mappings: onOff('Standby', 'text', 'Active', 'blue'),
      queries: [q(`max(${raw('mist_wan_port_active', C)})`)],
    }, 3),
    stat({
      title: 'Utilization', description: 'Utilization over the last 5 minutes (the larger direction); colours: the default thresholds.',
      unit: 'percentunit', thresholds: levelSteps(ctx.kpi.thresholds.utilization), noValue: 'Unknown',
      queries: [q(`max(${R.utilization5m}{${C}})`)],
    }, 3),
    ...QUALITY_KINDS.map((k) => stat({
      title: QUALITY[k].title, description: `${QUALITY[k].title} now: the mean over the circuit's up VPN paths (a hub circuit: over the paths that end on it); colours: the default thresholds.`,
      unit: QUALITY[k].unit, decimals: k === 'loss' ? 2 : undefined, thresholds: qualitySteps(ctx, k), noValue: 'No up path',
      queries: [q(`max(${quality(k)})`)],
    }, 3)),
    stat({
      title: 'Bandwidth', description: 'Contracted bandwidth each way (circuit inventory, else the link speed).',
      unit: 'bps', thresholds: [{ color: 'blue', value: null }], options: { textMode: 'value_and_name', colorMode: 'none' },
      queries: [
        q(`max(${raw('mist_wan_port_receive_bandwidth_bytes_per_second', C)}) * 8`, { legend: 'down' }),
        q(`max(${raw('mist_wan_port_transmit_bandwidth_bytes_per_second', C)}) * 8`, { legend: 'up' }),
      ],
    }, 3),
    stat({
      title: 'Availability (time range)', description: 'Up minutes over known minutes over the dashboard\'s time range. Red below the availability that makes a chronic-offender day.',
      unit: 'percentunit', decimals: 3, thresholds: availabilitySteps(ctx),
      queries: [q(`avg_over_time(${R.circuitUp}{${C}}[$__range])`)],
    }, 3),
  ];
}

function details() {
  const labels = 'org_id, site_id, mac, port_id, wan_name, wan_type, role, provider, circuit_id, bandwidth_source';
  const info = withSite(withGateway(`group by (${labels}) (${raw('mist_wan_port_info', C)})`, 'site_id="$site_id"'), 'site_id="$site_id"');
  return table({
    title: 'Circuit', description: 'The circuit: WAN name and type, role, provider and circuit id (circuit inventory), where its bandwidth comes from, its port, gateway and site. Click the site to go back to it.',
    unit: 'none',
    queries: [q(info, { table: true })],
    transformations: [{
      id: 'organize',
      options: {
        excludeByName: { Time: true, Value: true, org_id: true, model: true, version: true },
        renameByName: {
          wan_name: 'Circuit', wan_type: 'Type', role: 'Role', provider: 'Provider', circuit_id: 'Circuit id', bandwidth_source: 'Bandwidth from',
          port_id: 'Port', gateway_name: 'Gateway', mac: 'Gateway MAC', site_name: 'Site', region: 'Region',
        },
        indexByName: { wan_name: 0, wan_type: 1, role: 2, provider: 3, circuit_id: 4, bandwidth_source: 5, port_id: 6, gateway_name: 7, mac: 8, site_name: 9, region: 10 },
      },
    }],
    overrides: [
      { matcher: { id: 'byName', options: 'Site' }, properties: [{ id: 'links', value: [drill('Open the site', UID.site, { region: '${__data.fields.region}', site_id: '${__data.fields.site_id}' })] }] },
      { matcher: { id: 'byName', options: 'Region' }, properties: [{ id: 'links', value: [drill('Open the region', UID.region, { region: '${__data.fields.region}' })] }] },
      { matcher: { id: 'byName', options: 'site_id' }, properties: [{ id: 'custom.hidden', value: true }] },
    ],
    custom: { align: 'auto', inspect: false },
    options: { frameIndex: 0, showHeader: true },
  }, 24, 3);
}

export function circuitDashboard(ctx: DashCtx): Dashboard {
  return dashboard({
    uid: UID.circuit,
    title: 'Mist WAN / Circuit',
    description: 'One WAN circuit: utilization vs its thresholds, throughput, up/down timeline, availability, loss/latency/jitter vs thresholds, time above threshold (cumulative and longest run), flaps and failovers. Reached from the site\'s circuits table.',
    questions: [
      'Is this circuit up, does it carry the traffic, and how full and how good is it now?',
      'When was it above its utilization thresholds, for how long in total and for how long at a stretch?',
      'When was it down, and what is its availability over a day, a week, a month, 13 months?',
      'Are its loss, latency and jitter within their thresholds? Which VPN paths run over it?',
      'How often did it flap or fail over?',
    ],
    variables: [regionVariable(), siteVariable(), circuitVariable(), gatewayMacVariable()],
    time: { from: 'now-24h', to: 'now' },
    refresh: '1m',
    sections: [
      { row: 'Now', panels: [...nowStats(ctx), details()] },
      { row: 'Utilization', panels: utilizationPanels(ctx) },
      { row: 'Up / down and availability', panels: statusPanels(ctx) },
      { row: 'Quality', panels: [...qualityPanels(ctx, quality), table(pathsTable(ctx, 'circuit'), 24, 6)] },
      { row: 'Time above threshold', panels: thresholdPanels(ctx) },
      { row: 'Flaps and failovers', panels: eventPanels(ctx) },
    ],
  });
}
