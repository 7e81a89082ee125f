import {
  anyIsBad, dashboard, drill, levelSteps, LEVEL_COLOURS, q, regionVariable, stat, table, timeseries, UID,
} from '../build.js';
import { HOUR, MINUTE, type DashCtx } from '../context.js';
import type { Dashboard, FieldOverride } from '../grafana.js';
import {
  anyReplica, colouredColumn, columnTitles, columnLinks, hiddenColumns, metric, organize, queryThresholds, R, withSite, withSiteAndCircuit,
} from '../queries.js';
import type { Level } from '../../rules/config.js';
import { snapshotAgeStat, staleFamiliesStat } from './freshness.js';

/**
 * NOC live: what is wrong right now, worst first, with a link from every row to the site or circuit. Reads the
 * per-minute recorded series (docs/kpis.md) and, for what the rules do not record (VPN paths, alarms, active
 * circuit), the raw metrics read across replicas. Every panel honours $region.
 */

const C = 'org_id, site_id, mac, port_id';
const G = 'org_id, site_id, mac';
const PATH = 'org_id, site_id, mac, port_id, peer_mac, peer_port_id, path_type';
const PATH_INFO_LABELS = 'wan_name, peer_wan_name, router_name, peer_router_name';
const REGION = 'region=~"$region"';
/** Mist alerts of the selected regions, and the pipeline alerts (no region label) always. */
const ALERT_MATCHERS = 'alertname=~"Mist.*", region=~"$region|"';
/** Prometheus's own alert series (not in the metric catalogue). */
const ALERTS = 'ALERTS';
const ALERTS_FOR_STATE = 'ALERTS_FOR_STATE';
/** The labels of our alerts a NOC reads (docs/alerting.md); an alert without one leaves its cell empty. */
const ALERT_COLUMNS = 'alertname, severity, region, site_name, site_id, wan_name, port_id, family, token_fingerprint, instance';
const TOP = 20;

const siteLink = drill('Site', UID.site, { region: '${__data.fields.region}', site_id: '${__data.fields.site_id}' });
const circuitLink = drill('Circuit', UID.circuit, {
  region: '${__data.fields.region}', site_id: '${__data.fields.site_id}', port_id: '${__data.fields.port_id}',
});
const regionLink = drill('Region', UID.region, { region: '${__data.fields.region}' });


const SITE_TITLES = { site_name: 'Site', region: 'Region' };
const CIRCUIT_TITLES = { ...SITE_TITLES, wan_name: 'Circuit', role: 'Role', provider: 'Provider', circuit_id: 'Circuit id' };

/** Site rows: name links to the site, region to the region; ids kept hidden for the links. */
const siteColumns = (): FieldOverride[] => [
  ...columnTitles(SITE_TITLES), columnLinks('site_name', [siteLink]), columnLinks('region', [regionLink]), ...hiddenColumns('site_id'),
];

/** Circuit rows: as sites, and the circuit name links to the circuit. */
const circuitColumns = (): FieldOverride[] => [
  ...columnTitles(CIRCUIT_TITLES), columnLinks('site_name', [siteLink]), columnLinks('region', [regionLink]),
  columnLinks('wan_name', [circuitLink]), ...hiddenColumns('site_id', 'port_id'),
];

/** Column order of circuit tables: names first, values after (indexByName of the organize transformation). */
const CIRCUIT_ORDER = ['site_name', 'region', 'wan_name', 'role', 'provider', 'circuit_id'];

const sortBy = (displayName: string) => ({ sortBy: [{ displayName, desc: true }] });

const pct = (ratio: number): string => `${Number((ratio * 100).toFixed(2))} %`;

/** A quality value relative to its critical threshold (1 = at the critical level). */
function relativeToCritical(ctx: DashCtx): string {
  const t = ctx.kpi.thresholds;
  const part = (name: string, critical: number, kpi: string) =>
    `label_replace(${anyReplica(name)} / ${critical}, "kpi", "${kpi}", "", "")`;
  return `max without (kpi) (
      ${part('mist_vpn_path_loss_ratio', t.loss_ratio.critical, 'loss')}
    or ${part('mist_vpn_path_latency_seconds', t.latency_seconds.critical, 'latency')}
    or ${part('mist_vpn_path_jitter_seconds', t.jitter_seconds.critical, 'jitter')})
    and on (${PATH}) (${anyReplica('mist_vpn_path_up')} == 1)`;
}

/** A path series with the site's name and region and the path's interface and router names. */
const withPath = (expr: string): string => withSite(`(${expr}) * on (${PATH}) group_left (${PATH_INFO_LABELS})
  group by (${PATH}, ${PATH_INFO_LABELS}) (${metric('mist_vpn_path_info')})`);

function nowStats(ctx: DashCtx) {
  const sum = (name: string, extra = '') => `sum(${name}{${REGION}${extra}})`;
  const levels: Level[] = ['warning', 'major', 'critical'];
  const u = ctx.kpi.thresholds.utilization;
  return [
    stat({
      title: 'Sites down', description: 'Sites with no known circuit up, or whose gateway is disconnected from the Mist cloud (region:mist_wan_sites_down:count1m). The table "Sites down now" lists them.',
      unit: 'none', decimals: 0, thresholds: anyIsBad(), queries: [q(sum(R.regionSitesDown))],
    }, 3, 4),
    stat({
      title: 'Circuits down', description: 'Circuits down now: the port is down or its gateway is disconnected (region:mist_wan_circuits_down:count1m).',
      unit: 'none', decimals: 0, thresholds: anyIsBad(), queries: [q(sum(R.regionCircuitsDown))],
    }, 3, 4),
    stat({
      title: 'Circuits unknown', description: 'Circuits with no up/down value now: their data is stale or absent (see the freshness banner). Unknown is never counted as down.',
      unit: 'none', decimals: 0, thresholds: anyIsBad('orange'), queries: [q(sum(R.regionCircuitsUnknown))],
    }, 3, 4),
    stat({
      title: 'Circuits congested now',
      description: `Circuits whose 5-minute utilization is at or above each threshold level (region:mist_wan_circuits_congested:count1m): warning ${pct(u.warning)}, major ${pct(u.major)}, critical ${pct(u.critical)} (prometheus/kpi-config.yml; a region override changes them for its sites).`,
      unit: 'none', decimals: 0,
      queries: levels.map((level) => q(sum(R.regionCongested, `, level="${level}"`), { legend: `≥ ${pct(u[level])} (${level})` })),
      overrides: levels.map((level, i) => queryThresholds(String.fromCharCode(65 + i), anyIsBad(LEVEL_COLOURS[level]))),
      colorMode: 'thresholds', thresholds: anyIsBad(),
      options: { textMode: 'value_and_name' },
    }, 6, 4),
    stat({
      title: 'Gateways on secondary', description: 'Gateways running on a circuit other than their primary now (region:mist_wan_gateways_on_secondary:count1m).',
      unit: 'none', decimals: 0, thresholds: anyIsBad('orange'), queries: [q(sum(R.regionOnSecondary))],
    }, 3, 4),
    stat({
      title: 'VPN paths down', description: 'VPN peer paths Mist reports down now (mist_vpn_path_up 0), of the selected regions\' sites.',
      unit: 'none', decimals: 0, thresholds: anyIsBad('orange'),
      queries: [q(`count(${withSite(`${anyReplica('mist_vpn_path_up')} == 0`)}) or vector(0)`)],
    }, 3, 4),
    stat({
      title: 'Critical alarms open', description: 'Open Mist alarms of severity critical (mist_alarms_active), of the selected regions\' sites. The table "Critical alarms by site" lists them.',
      unit: 'none', decimals: 0, thresholds: anyIsBad(),
      queries: [q(`sum(${withSite(anyReplica('mist_alarms_active', 'severity="critical"'))}) or vector(0)`)],
    }, 3, 4),
  ];
}

/** Firing Mist alerts now (Prometheus's ALERTS series): the pages and tickets in flight. */
const firingStat = () => stat({
  title: 'Firing Mist alerts',
  description: 'Mist alerts firing in Prometheus now (ALERTS{alertstate="firing"}), of the selected regions, plus the pipeline alerts (no region). The table "Firing alerts" lists them.',
  unit: 'none', decimals: 0, thresholds: anyIsBad(),
  queries: [q(`count(${ALERTS}{alertstate="firing", ${ALERT_MATCHERS}}) or vector(0)`)],
}, 4, 4);

function outageTables(ctx: DashCtx) {
  const window = ctx.w(HOUR);
  return [
    table({
      title: 'Sites down now',
      description: 'Sites down now (site:mist_wan_down:bool1m = 1: no known circuit up, or the gateway disconnected), with the time they were down in the last hour. Click a site for its dashboard.',
      emptyWhenQuiet: 'no site is down.',
      unit: 's',
      queries: [q(`sort_desc(${withSite(`sum_over_time(${R.siteDown}[${window}]) * 60 and on (org_id, site_id) (${R.siteDown} == 1)`)})`)],
      overrides: [...siteColumns(), ...columnTitles({ Value: 'Down in the last hour' })],
      transformations: [organize(['org_id'], {}, ['site_name', 'region'])],
      options: sortBy('Down in the last hour'),
    }, 8, 9),
    table({
      title: 'Circuits down now',
      description: 'Circuits down now (site_circuit:mist_wan_up:bool1m = 0), with the time they were down in the last hour and the cause: the port itself, or the gateway disconnected from the Mist cloud (every circuit of the gateway then reads down). Click a circuit or a site to drill down.',
      emptyWhenQuiet: 'no circuit is down.',
      unit: 's',
      queries: [
        q(withSiteAndCircuit(`(${R.knownMinutes1h} - ${R.upMinutes1h}) * 60 and on (${C}) (${R.circuitUp} == 0)`)),
        q(withSiteAndCircuit(`(${R.circuitUp} == 0) * 0 + on (${G}) group_left () ${anyReplica('mist_gateway_up')}`)),
      ],
      overrides: [
        ...circuitColumns(),
        ...columnTitles({ 'Value #A': 'Down in the last hour', 'Value #B': 'Cause' }),
        { matcher: { id: 'byName', options: 'Value #B' }, properties: [{ id: 'unit', value: 'none' }, { id: 'mappings', value: [{ type: 'value', options: { 0: { text: 'gateway disconnected', color: 'red', index: 0 }, 1: { text: 'port down', color: 'orange', index: 1 } } }] }, { id: 'custom.cellOptions', value: { type: 'color-text' } }] },
      ],
      transformations: [{ id: 'merge', options: {} }, organize(['org_id', 'mac'], {}, [...CIRCUIT_ORDER, 'Value #A', 'Value #B'])],
      options: sortBy('Down in the last hour'),
    }, 16, 9),
  ];
}

function congestionAndQuality(ctx: DashCtx) {
  // The latest value within 5 minutes: a late collection (a minute without a byte delta) does not blank the table.
  const recent = `[${ctx.d(5 * MINUTE)}]`;
  const busiest = `topk(${TOP}, ${withSiteAndCircuit(`last_over_time(${R.utilization5m}${recent})`)})`;
  const worst = `topk(${TOP}, ${withPath(relativeToCritical(ctx))})`;
  const t = ctx.kpi.thresholds;
  const pathValue = (name: string) => `${withPath(anyReplica(name))} and on (${PATH}) ${worst}`;
  return [
    table({
      title: `Congested now: the ${TOP} busiest circuits`,
      description: `The ${TOP} circuits with the highest 5-minute utilization now (the latest site_circuit:mist_wan_utilization:ratio5m within 5 minutes: the busier direction against its contracted bandwidth), coloured at the thresholds of prometheus/kpi-config.yml (${pct(t.utilization.warning)} / ${pct(t.utilization.major)} / ${pct(t.utilization.critical)}; a region override changes the level the rules and alerts apply there, not these colours), and how long each has been continuously above the warning level. Green rows: nothing is congested. Click a circuit for its utilization against the thresholds.`,
      unit: 'percentunit',
      queries: [
        q(busiest),
        q(`${withSiteAndCircuit(`max without (level) (last_over_time(${R.utilizationRun}{level="warning"}${recent}))`)} and on (${C}) ${busiest}`),
      ],
      overrides: [
        ...circuitColumns(),
        ...columnTitles({ 'Value #A': 'Utilization (5 min)', 'Value #B': `Above ${pct(t.utilization.warning)} for` }),
        colouredColumn('Value #A', 'percentunit', levelSteps(t.utilization)),
        { matcher: { id: 'byName', options: 'Value #B' }, properties: [{ id: 'unit', value: 's' }] },
      ],
      transformations: [{ id: 'merge', options: {} }, organize(['org_id', 'mac'], {}, [...CIRCUIT_ORDER, 'Value #A', 'Value #B'])],
      options: sortBy('Utilization (5 min)'),
    }, 12, 10),
    table({
      title: `Worst ${TOP} VPN paths now`,
      description: `The ${TOP} up VPN paths (mist_vpn_path_*, as Mist last sampled them) whose loss, latency or jitter is closest to or furthest beyond its critical threshold (loss ${pct(t.loss_ratio.critical)}, latency ${t.latency_seconds.critical * 1000} ms, jitter ${t.jitter_seconds.critical * 1000} ms): "Worst vs critical" is the largest of value ÷ critical threshold (100 % = at the critical level). Each value is coloured at the warning / major / critical thresholds of prometheus/kpi-config.yml. Down paths are counted in "VPN paths down". Click the circuit for its quality over time.`,
      unit: 'percentunit',
      queries: [
        q(worst),
        q(pathValue('mist_vpn_path_loss_ratio')),
        q(pathValue('mist_vpn_path_latency_seconds')),
        q(pathValue('mist_vpn_path_jitter_seconds')),
      ],
      overrides: [
        ...columnTitles({ ...SITE_TITLES, wan_name: 'Circuit', peer_router_name: 'Peer', peer_wan_name: 'Peer circuit', path_type: 'Type', router_name: 'Gateway', 'Value #A': 'Worst vs critical', 'Value #B': 'Loss', 'Value #C': 'Latency', 'Value #D': 'Jitter' }),
        columnLinks('site_name', [siteLink]), columnLinks('region', [regionLink]), columnLinks('wan_name', [circuitLink]),
        ...hiddenColumns('site_id', 'port_id'),
        colouredColumn('Value #A', 'percentunit', [{ color: 'green', value: null }, { color: 'red', value: 1 }]),
        colouredColumn('Value #B', 'percentunit', levelSteps(t.loss_ratio)),
        colouredColumn('Value #C', 's', levelSteps(t.latency_seconds)),
        colouredColumn('Value #D', 's', levelSteps(t.jitter_seconds)),
      ],
      transformations: [
        { id: 'merge', options: {} },
        organize(['org_id', 'mac', 'peer_mac', 'peer_port_id'], {}, ['site_name', 'region', 'router_name', 'wan_name', 'peer_router_name', 'peer_wan_name', 'path_type', 'Value #A', 'Value #B', 'Value #C', 'Value #D']),
      ],
      options: sortBy('Worst vs critical'),
    }, 12, 10),
  ];
}

function failoverFlapsAlarms() {
  return [
    table({
      title: 'Sites on secondary now',
      description: 'Gateways running on a circuit other than their primary now (site_gateway:mist_wan_on_secondary:bool1m = 1), the circuit they run on (mist_wan_port_active) and how long they were on a secondary in the last hour. MistOnSecondaryTooLong fires after the configured time. Click the site for its failovers.',
      emptyWhenQuiet: 'every gateway runs on its primary circuit.',
      unit: 's',
      queries: [q(`sort_desc(${withSiteAndCircuit(`${R.onSecondarySeconds1h} * on (${G}) group_right () (${anyReplica('mist_wan_port_active')} == 1)
        and on (${G}) (${R.onSecondary} == 1)`)})`)],
      overrides: [...circuitColumns(), ...columnTitles({ wan_name: 'Active circuit', Value: 'On secondary in the last hour' })],
      transformations: [organize(['org_id', 'mac'], {}, CIRCUIT_ORDER)],
      options: sortBy('On secondary in the last hour'),
    }, 12, 9),
    table({
      title: 'Flapping circuits',
      description: 'Circuits whose port changed state in the last hour, most flaps first (site_circuit:mist_wan_flaps:sum1h: each GW_PORT_DOWN and GW_PORT_UP event counts one, exact even when a flap is shorter than a collection).',
      emptyWhenQuiet: 'no circuit flapped in the last hour.',
      unit: 'none', decimals: 0,
      queries: [q(`topk(50, ${withSiteAndCircuit(`${R.flaps1h} > 0`)})`)],
      overrides: [...circuitColumns(), ...columnTitles({ Value: 'Flaps in the last hour' }), colouredColumn('Value', 'none', anyIsBad('orange'))],
      transformations: [organize(['org_id', 'mac'], {}, CIRCUIT_ORDER)],
      options: sortBy('Flaps in the last hour'),
    }, 12, 9),
    table({
      title: 'Critical alarms by site',
      description: 'Open Mist alarms of severity critical by site and type (mist_alarms_active > 0; Mist\'s alarm types, e.g. gateway_down). Click the site for its dashboard.',
      emptyWhenQuiet: 'no critical alarm is open.',
      unit: 'none', decimals: 0,
      queries: [q(`sort_desc(${withSite(`${anyReplica('mist_alarms_active', 'severity="critical"')} > 0`)})`)],
      overrides: [...siteColumns(), ...columnTitles({ alarm_type: 'Alarm', group: 'Group', Value: 'Open' })],
      transformations: [organize(['org_id', 'severity'], {}, ['site_name', 'region', 'alarm_type', 'group', 'Value'])],
      options: sortBy('Open'),
    }, 12, 9),
    table({
      title: 'Firing alerts',
      description: 'Mist alerts firing in Prometheus now, of the selected regions plus the pipeline alerts (no region), and how long each has been active (since it began pending: time() − ALERTS_FOR_STATE). docs/runbooks.md has a section per alert; Alertmanager routes and inhibits them (docs/alerting.md).',
      emptyWhenQuiet: 'no Mist alert is firing.',
      unit: 's',
      queries: [q(`sort_desc(time() - max by (${ALERT_COLUMNS}) (
        ${ALERTS_FOR_STATE}{${ALERT_MATCHERS}} and ignoring (alertstate) ${ALERTS}{alertstate="firing"}))`)],
      overrides: [...siteColumns(), ...hiddenColumns('port_id'), columnLinks('wan_name', [circuitLink]), ...columnTitles({ alertname: 'Alert', severity: 'Severity', wan_name: 'Circuit', family: 'Family', token_fingerprint: 'Token', instance: 'Target', Value: 'Active for' })],
      transformations: [organize([], {}, ['alertname', 'severity', 'site_name', 'region', 'wan_name', 'family', 'token_fingerprint', 'instance', 'Value'])],
      options: sortBy('Active for'),
    }, 12, 9),
  ];
}

function trend(ctx: DashCtx) {
  const sum = (name: string, extra = '') => `sum(${name}{${REGION}${extra}})`;
  const step = { interval: ctx.d(MINUTE) };
  return timeseries({
    title: 'Live counts over time',
    description: 'The counts of the stats above, minute by minute (region rollups, region:mist_wan_*:count1m): when did it start, is it growing?',
    unit: 'none', decimals: 0,
    queries: [
      q(sum(R.regionSitesDown), { legend: 'sites down', ...step }),
      q(sum(R.regionCircuitsDown), { legend: 'circuits down', ...step }),
      q(sum(R.regionCircuitsUnknown), { legend: 'circuits unknown', ...step }),
      q(sum(R.regionCongested, `, level="${ctx.kpi.alerts.congestion_level}"`), { legend: `circuits congested (${ctx.kpi.alerts.congestion_level})`, ...step }),
      q(sum(R.regionOnSecondary), { legend: 'gateways on secondary', ...step }),
    ],
  }, 24, 8);
}

export function nocDashboard(ctx: DashCtx): Dashboard {
  return dashboard({
    uid: UID.noc,
    title: 'Mist WAN / NOC live',
    description: 'What is wrong now: data freshness, outages (site and circuit), congestion, worst VPN paths, failovers, flaps, critical alarms and firing alerts, each row linking to its site or circuit.',
    questions: [
      'Is the data on this screen current, or is the collector stale?',
      'Which sites and circuits are down right now, and for how long?',
      'Which circuits are congested now (warning / major / critical), and for how long?',
      'Which VPN paths have the worst loss, latency or jitter now?',
      'Which gateways run on a secondary circuit?',
      'Which critical Mist alarms are open and which alerts are firing? Which circuits flap?',
    ],
    variables: [regionVariable()],
    time: { from: 'now-6h', to: 'now' },
    refresh: '1m',
    tags: ['noc'],
    sections: [
      { panels: [staleFamiliesStat(8, 4), snapshotAgeStat(ctx, 12, 4), firingStat()] },
      { row: 'Now', panels: nowStats(ctx) },
      { row: 'Down now', panels: outageTables(ctx) },
      { row: 'Congestion and path quality', panels: congestionAndQuality(ctx) },
      { row: 'Failover, flaps, alarms and alerts', panels: failoverFlapsAlarms() },
      { row: 'Trend', panels: [trend(ctx)] },
    ],
  });
}
