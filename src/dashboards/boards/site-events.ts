import { bargauge, q, stateTimeline, table, timeseries, type PanelSpec } from '../build.js';
import type { DashCtx } from '../context.js';
import { R, SITE, withCircuit } from '../queries.js';
import { CIRCUIT_ID, onOff, QUALITY, qualitySteps, raw, sitePaths, sleSteps, withGateway, withPathNames } from './drill-queries.js';
import { columnsTable } from './drill-tables.js';

/** The site board's VPN paths, SLE, alarms and failover panels. */

const PATH_LEGEND = '{{router_name}} {{wan_name}} → {{peer_router_name}} {{peer_wan_name}}';

/** The VPN paths of the site or of the circuit, from either end (sitePaths). */
export function pathsTable(ctx: DashCtx, scope: 'site' | 'circuit'): PanelSpec {
  const p = (name: string): string => withPathNames(sitePaths(name, scope));
  return {
    title: scope === 'site' ? 'VPN paths of ${site_id:text}' : 'VPN paths over ${port_id:text}',
    description: `Every VPN path the ${scope}'s gateway reports and every path other gateways report towards it (a hub's paths `
      + 'are reported by its spokes): up, active (carries the traffic of its group), loss, latency and jitter as Mist last '
      + 'sampled them (empty while the path is down), mean opinion score, and how long it has been up. Down paths first.',
    unit: 'none',
    ...columnsTable([
      { title: 'Up', expr: p('mist_vpn_path_up'), unit: 'none', mappings: onOff('Down', 'red', 'Up', 'green'), colour: true },
      { title: 'Active', expr: p('mist_vpn_path_active'), unit: 'none', mappings: onOff('Standby', 'text', 'Active', 'blue') },
      { title: 'Loss', expr: p('mist_vpn_path_loss_ratio'), unit: 'percentunit', decimals: 2, thresholds: qualitySteps(ctx, 'loss'), colour: true },
      { title: 'Latency', expr: p('mist_vpn_path_latency_seconds'), unit: 's', thresholds: qualitySteps(ctx, 'latency'), colour: true },
      { title: 'Jitter', expr: p('mist_vpn_path_jitter_seconds'), unit: 's', thresholds: qualitySteps(ctx, 'jitter'), colour: true },
      { title: 'MOS', expr: p('mist_vpn_path_mos'), unit: 'none', decimals: 2 },
      { title: 'Up for', expr: `time() - ${p('mist_vpn_path_up_since_timestamp_seconds')}`, unit: 'dtdurations' },
    ], {
      labels: { router_name: 'Router', wan_name: 'WAN', peer_router_name: 'Peer', peer_wan_name: 'Peer WAN', path_type: 'Type' },
      exclude: ['org_id', 'site_id', 'mac', 'port_id', 'peer_mac', 'peer_port_id'],
      sortBy: 'Up', asc: true,
    }),
  };
}

export function pathPanels(ctx: DashCtx) {
  return [
    table(pathsTable(ctx, 'site'), 24, 8),
    ...(['latency', 'loss'] as const).map((k) => timeseries({
      title: `Path ${k}`, description: `Each VPN path's ${k} as Mist samples it (up paths; a down path keeps no value).`,
      unit: QUALITY[k].unit, min: 0,
      queries: [q(withPathNames(`${sitePaths(QUALITY[k].path, 'site')} and on (${CIRCUIT_ID}, peer_mac, peer_port_id, path_type) (${sitePaths('mist_vpn_path_up', 'site')} == 1)`), { legend: PATH_LEGEND })],
    }, 12)),
  ];
}

export function slePanels(ctx: DashCtx) {
  const sle = raw('mist_site_sle_ratio', SITE);
  const quiet = 'Mist\'s SLE details are collected only for the site\'s SLEs that score below SLE_DEGRADED_THRESHOLD; a healthy site has none.';
  return [
    bargauge({
      title: 'WAN SLE now', description: 'The site\'s WAN SLE scores over Mist\'s last hour: the share of user-minutes not degraded, per SLE. Red below the SLE alert\'s level.',
      unit: 'percentunit', min: 0, max: 1, decimals: 1, thresholds: sleSteps(ctx),
      queries: [q(`max by (sle) (${sle})`, { legend: '{{sle}}' })],
    }, 8, 7),
    timeseries({
      title: 'WAN SLE over time', description: 'The site\'s WAN SLE scores per SLE (each a trailing hour as Mist computes it).',
      unit: 'percentunit', max: 1, thresholds: sleSteps(ctx), custom: { thresholdsStyle: { mode: 'dashed' } },
      queries: [q(`max by (sle) (${sle})`, { legend: '{{sle}}' })],
    }, 16, 7),
    table({
      title: 'SLE classifiers', description: 'What degraded the site\'s SLEs over Mist\'s last hour: the share of user-minutes each classifier degraded (classifiers overlap). Worst first.',
      unit: 'percentunit', decimals: 1, emptyWhenQuiet: quiet,
      queries: [q(`sort_desc(max by (sle, classifier) (${raw('mist_site_sle_classifier_degraded_ratio', SITE)}))`, { table: true })],
      transformations: [{ id: 'organize', options: { excludeByName: { Time: true }, renameByName: { sle: 'SLE', classifier: 'Classifier', Value: 'Degraded' }, indexByName: {} } }],
      options: { frameIndex: 0, showHeader: true, sortBy: [{ displayName: 'Degraded', desc: true }] },
    }, 12, 7),
    table({
      title: 'Impacted interfaces', description: 'The gateway interfaces Mist\'s wan-link-health SLE found degraded over its last hour, with the share of their minutes degraded. Worst first.',
      unit: 'percentunit', decimals: 1, emptyWhenQuiet: quiet,
      queries: [q(`sort_desc(${impactedInterfaces()})`, { table: true })],
      transformations: [{
        id: 'organize',
        options: {
          excludeByName: { Time: true, org_id: true, site_id: true },
          renameByName: { wan_name: 'Circuit', port_id: 'Port', mac: 'Gateway MAC', role: 'Role', provider: 'Provider', circuit_id: 'Circuit id', sle: 'SLE', Value: 'Degraded' },
          indexByName: { wan_name: 0, port_id: 1, sle: 2, Value: 3 },
        },
      }],
      options: { frameIndex: 0, showHeader: true, sortBy: [{ displayName: 'Degraded', desc: true }] },
    }, 12, 7),
  ];
}

/** Impacted interfaces with their circuit's names; an interface Mist reports that does not resolve to a port keeps its id. */
function impactedInterfaces(): string {
  const x = `max by (${CIRCUIT_ID}, sle) (${raw('mist_site_sle_interface_degraded_ratio', SITE)})`;
  return `(${withCircuit(x, SITE)} or on (${CIRCUIT_ID}, sle) ${x})`;
}

/** to_port_id's WAN name, as to_wan_name. */
const withTarget = (expr: string): string =>
  `(${expr}) * on (org_id, site_id, mac, to_port_id) group_left (to_wan_name) group by (org_id, site_id, mac, to_port_id, to_wan_name) `
  + `(label_replace(label_replace(${raw('mist_wan_port_info', SITE)}, "to_port_id", "$1", "port_id", "(.+)"), "to_wan_name", "$1", "wan_name", "(.+)"))`;

export function eventPanels() {
  return [
    table({
      title: 'Open alarms', description: 'The site\'s open Mist alarms by type, severity and group (a resolved kind reads 0 for a day: left out). Most first.',
      unit: 'none', decimals: 0, emptyWhenQuiet: 'No alarm is open at this site.',
      queries: [q(`sort_desc(sum by (alarm_type, severity, group) (${raw('mist_alarms_active', SITE)} > 0))`, { table: true })],
      transformations: [{ id: 'organize', options: { excludeByName: { Time: true }, renameByName: { alarm_type: 'Alarm', severity: 'Severity', group: 'Group', Value: 'Open' }, indexByName: {} } }],
      options: { frameIndex: 0, showHeader: true, sortBy: [{ displayName: 'Open', desc: true }] },
    }, 12, 7),
    stateTimeline({
      title: 'Primary or secondary', description: 'Per gateway and minute: on its primary circuit or failed over to another one; blank when no circuit is active or the data is unknown.',
      unit: 'none', mappings: onOff('Primary', 'green', 'Secondary', 'orange'),
      queries: [q(withGateway(`${R.onSecondary}{${SITE}}`, SITE), { legend: '{{gateway_name}}', interval: '1m' })],
    }, 12, 7),
    timeseries({
      title: 'Failovers', description: 'Failovers per minute: the gateway\'s active circuit moved from its primary to another circuit (fail-backs are not counted).',
      unit: 'none', decimals: 0, min: 0,
      custom: { drawStyle: 'bars', fillOpacity: 80, lineWidth: 1 },
      queries: [q(withTarget(withCircuit(`${R.failovers}{${SITE}}`, SITE)), { legend: '{{wan_name}} → {{to_wan_name}}', interval: '1m' })],
    }, 12, 7),
    timeseries({
      title: 'Flaps', description: 'Port state changes per minute and circuit (Mist\'s GW_PORT_DOWN and GW_PORT_UP events, each one a flap).',
      unit: 'none', decimals: 0, min: 0,
      custom: { drawStyle: 'bars', fillOpacity: 80, lineWidth: 1 },
      queries: [q(withCircuit(`${R.flaps}{${SITE}}`, SITE), { legend: '{{wan_name}} ({{role}})', interval: '1m' })],
    }, 12, 7),
  ];
}
