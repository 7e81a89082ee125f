import {
  anyIsBad, dashboard, drill, q, regionVariable, siteVariable, stat, table, timeseries, UID,
} from '../build.js';
import { DAY, type DashCtx } from '../context.js';
import type { Dashboard } from '../grafana.js';
import { R, SITE } from '../queries.js';
import { gatewayMacVariable, onOff, raw, sleSteps, withGateway } from './drill-queries.js';
import { columnsTable } from './drill-tables.js';
import { circuitPanels } from './site-circuits.js';
import { eventPanels, pathPanels, slePanels } from './site-events.js';

/** Site: its gateway, circuits, VPN paths, SLE, alarms and failovers, one site at a time ($site_id). */

const countStat = (title: string, description: string, expr: string, colour = 'orange') => stat({
  title, description, unit: 'none', decimals: 0, thresholds: anyIsBad(colour), queries: [q(`${expr} or vector(0)`)],
}, 3);

function nowStats(ctx: DashCtx) {
  return [
    stat({
      title: 'Site', description: 'Down when no known circuit of the site is up (a disconnected gateway makes its circuits down); "Unknown" without fresh data.',
      unit: 'none', mappings: onOff('Up', 'green', 'Down', 'red'), noValue: 'Unknown',
      queries: [q(`max(${R.siteDown}{${SITE}})`)],
    }, 3),
    stat({
      title: 'Gateway', description: 'Whether the site\'s gateways are connected to the Mist cloud (the least connected one).',
      unit: 'none', mappings: onOff('Disconnected', 'red', 'Connected', 'green'), noValue: 'Unknown',
      queries: [q(`min(${raw('mist_gateway_up', SITE)})`)],
    }, 3),
    stat({
      title: 'Circuits up', description: 'Known circuits of the site up now, of its known circuits.',
      unit: 'none', decimals: 0, thresholds: [{ color: 'blue', value: null }],
      options: { textMode: 'value_and_name' },
      queries: [q(`sum(${R.circuitUp}{${SITE}})`, { legend: 'up' }), q(`count(${R.circuitUp}{${SITE}})`, { legend: 'known' })],
    }, 3),
    stat({
      title: 'Circuit in use', description: 'Whether a gateway of the site runs on a circuit other than its primary now.',
      unit: 'none', mappings: onOff('Primary', 'green', 'Secondary', 'orange'), noValue: 'None active',
      queries: [q(`max(${R.onSecondary}{${SITE}})`)],
    }, 3),
    countStat('Open alarms', 'Open Mist alarms of the site now (all severities).', `sum(${raw('mist_alarms_active', SITE)})`),
    countStat('Failovers 24h', 'Failovers (primary → another circuit) over the last 24 hours.', `sum(sum_over_time(${R.failovers}{${SITE}}[${ctx.w(DAY)}]))`),
    countStat('Flaps 24h', 'Port state changes of the site\'s circuits over the last 24 hours.', `sum(sum_over_time(${R.flaps}{${SITE}}[${ctx.w(DAY)}]))`),
    stat({
      title: 'Worst SLE', description: 'The lowest of the site\'s WAN SLE scores (gateway health, WAN link health, application health) over Mist\'s last hour.',
      unit: 'percentunit', decimals: 1, thresholds: sleSteps(ctx), noValue: 'No SLE',
      queries: [q(`min(${raw('mist_site_sle_ratio', SITE)})`)],
    }, 3),
  ];
}

function gatewayPanels() {
  const g = (name: string): string => withGateway(raw(name, SITE), SITE);
  return [
    table({
      title: 'Site', description: 'The site\'s name, region, country and timezone (Mist site and site groups). Click the region to open the region\'s site list.',
      unit: 'none',
      queries: [q(`group by (site_name, region, country_code, timezone, site_id) (${raw('mist_site_info', SITE)})`, { table: true })],
      transformations: [{
        id: 'organize',
        options: {
          excludeByName: { Time: true, Value: true },
          renameByName: { site_name: 'Site', region: 'Region', country_code: 'Country', timezone: 'Timezone' },
          indexByName: { site_name: 0, region: 1, country_code: 2, timezone: 3 },
        },
      }],
      overrides: [
        { matcher: { id: 'byName', options: 'Region' }, properties: [{ id: 'links', value: [drill('Open the region', UID.region, { region: '${__data.fields.region}' })] }] },
        { matcher: { id: 'byName', options: 'site_id' }, properties: [{ id: 'custom.hidden', value: true }] },
      ],
      custom: { align: 'auto', inspect: false },
      options: { frameIndex: 0, showHeader: true },
    }, 24, 3),
    table({
      title: 'Gateway', description: 'The site\'s gateways: name, model, firmware, MAC, connected to the Mist cloud, CPU and memory, time since boot and since Mist last heard from it.',
      unit: 'none',
      ...columnsTable([
        { title: 'Connected', expr: g('mist_gateway_up'), unit: 'none', mappings: onOff('No', 'red', 'Yes', 'green'), colour: true },
        { title: 'CPU', expr: g('mist_gateway_cpu_usage_ratio'), unit: 'percentunit', thresholds: [{ color: 'green', value: null }, { color: 'orange', value: 0.8 }, { color: 'red', value: 0.9 }], colour: true },
        { title: 'Memory', expr: g('mist_gateway_memory_usage_ratio'), unit: 'percentunit', thresholds: [{ color: 'green', value: null }, { color: 'orange', value: 0.8 }, { color: 'red', value: 0.9 }], colour: true },
        { title: 'Up since boot', expr: `time() - ${g('mist_gateway_boot_timestamp_seconds')}`, unit: 'dtdurations' },
        { title: 'Last heard', expr: `time() - ${g('mist_gateway_last_seen_timestamp_seconds')}`, unit: 's' },
      ], {
        labels: { gateway_name: 'Gateway', model: 'Model', version: 'Firmware', mac: 'MAC' },
        exclude: ['org_id', 'site_id'],
        sortBy: 'Connected', asc: true,
      }),
    }, 24, 4),
    timeseries({
      title: 'Gateway CPU and memory', description: 'CPU and memory use of the site\'s gateways.',
      unit: 'percentunit', min: 0, max: 1,
      queries: [
        q(g('mist_gateway_cpu_usage_ratio'), { legend: '{{gateway_name}} CPU' }),
        q(g('mist_gateway_memory_usage_ratio'), { legend: '{{gateway_name}} memory' }),
      ],
    }, 24, 6),
  ];
}

export function siteDashboard(ctx: DashCtx): Dashboard {
  return dashboard({
    uid: UID.site,
    title: 'Mist WAN / Site',
    description: 'One site: its gateway, circuits (role, bandwidth, provider), VPN paths, WAN SLE with classifiers and impacted interfaces, alarms and failovers. Pick the site by name; reached from the region\'s site list.',
    questions: [
      'Is the site up, and is its gateway connected? Which circuit carries the traffic, the primary or a secondary?',
      'Which of its circuits are down, congested or of poor quality now, and what are their role, provider and bandwidth? Click one to open it.',
      'Are its VPN paths up, and how good are they?',
      'What does Mist\'s WAN SLE say, what degraded it and which interfaces?',
      'Which alarms are open; when did it fail over or flap?',
    ],
    variables: [regionVariable(), siteVariable(), gatewayMacVariable()],
    time: { from: 'now-24h', to: 'now' },
    refresh: '1m',
    sections: [
      { row: 'Now', panels: nowStats(ctx) },
      { row: 'Site and gateway', panels: gatewayPanels() },
      { row: 'Circuits', panels: circuitPanels(ctx) },
      { row: 'VPN paths', panels: pathPanels(ctx) },
      { row: 'WAN SLE', panels: slePanels(ctx) },
      { row: 'Alarms, failovers and flaps', panels: eventPanels() },
    ],
  });
}
