import {
  anyIsBad, dashboard, drill, levelSteps, q, regionVariable, stat, table, timeseries, UID, type PanelSpec,
} from '../build.js';
import { DAY, MINUTE, type DashCtx } from '../context.js';
import type { Dashboard } from '../grafana.js';
import { R, withSite } from '../queries.js';
import {
  availabilitySteps, circuitQuality, onOff, QUALITY, QUALITY_KINDS, qualitySteps, raw, seriesLinks, sleSteps, type QualityKind,
} from './drill-queries.js';
import { columnsTable } from './drill-tables.js';

/** Region → site list: which sites of the selected regions need attention, and how the regions trend. */

const REGION = 'region=~"$region"';

const countNow = (title: string, description: string, expr: string, colour = 'red'): ReturnType<typeof stat> => stat({
  title, description, unit: 'none', decimals: 0, thresholds: anyIsBad(colour), queries: [q(`sum(${expr}{${REGION}}) or vector(0)`)],
});

function siteTable(ctx: DashCtx): PanelSpec {
  const bySite = (agg: string, expr: string): string => withSite(`${agg} by (org_id, site_id) (${expr})`);
  const t = ctx.kpi.thresholds;
  const quality = (k: QualityKind): string => bySite('max', circuitQuality(QUALITY[k].recorded, QUALITY[k].path));
  return {
    title: 'Sites of the selected regions',
    description: 'One row per site: status now, circuits up of known, the worst circuit\'s utilization (5 min) and quality '
      + '(loss, latency, jitter: the mean over its up VPN paths) now, the site\'s availability over the last 24 h (minutes '
      + 'with at least one circuit up, of the known minutes), flaps in 24 h, whether a gateway runs on a secondary circuit '
      + 'and the worst WAN SLE. Sorted by circuits down, worst first; click a site to open it. Filter a column from its '
      + 'header; export to CSV from the panel menu (Inspect → Data).',
    unit: 'none',
    ...columnsTable([
      { title: 'Status', expr: bySite('max', R.siteDown), unit: 'none', mappings: onOff('Up', 'green', 'Down', 'red'), colour: true },
      { title: 'Circuits', expr: bySite('count', `group by (org_id, site_id, mac, port_id) (${raw('mist_wan_port_info')})`), unit: 'none', decimals: 0 },
      { title: 'Up', expr: bySite('sum', R.circuitUp), unit: 'none', decimals: 0 },
      { title: 'Down', expr: bySite('sum', `1 - ${R.circuitUp}`), unit: 'none', decimals: 0, thresholds: anyIsBad(), colour: true },
      { title: 'Worst utilization', expr: bySite('max', R.utilization5m), unit: 'percentunit', thresholds: levelSteps(t.utilization), colour: true },
      { title: 'Worst loss', expr: quality('loss'), unit: 'percentunit', decimals: 2, thresholds: qualitySteps(ctx, 'loss'), colour: true },
      { title: 'Worst latency', expr: quality('latency'), unit: 's', thresholds: qualitySteps(ctx, 'latency'), colour: true },
      { title: 'Worst jitter', expr: quality('jitter'), unit: 's', thresholds: qualitySteps(ctx, 'jitter'), colour: true },
      { title: 'Availability 24h', expr: bySite('min', `1 - avg_over_time(${R.siteDown}[${ctx.w(DAY)}])`), unit: 'percentunit', decimals: 2, thresholds: availabilitySteps(ctx), colour: true },
      { title: 'Flaps 24h', expr: bySite('sum', `sum_over_time(${R.flaps}[${ctx.w(DAY)}])`), unit: 'none', decimals: 0, thresholds: anyIsBad('orange'), colour: true },
      { title: 'On secondary', expr: bySite('max', R.onSecondary), unit: 'none', mappings: onOff('No', 'green', 'Yes', 'orange'), colour: true },
      { title: 'Worst SLE', expr: bySite('min', raw('mist_site_sle_ratio')), unit: 'percentunit', decimals: 1, thresholds: sleSteps(ctx), colour: true },
    ], {
      labels: { site_name: 'Site', region: 'Region' },
      hidden: ['site_id'],
      exclude: ['org_id'],
      links: [{ column: 'Site', links: [drill('Open the site', UID.site, { region: '${__data.fields.region}', site_id: '${__data.fields.site_id}' })] }],
      sortBy: 'Down',
    }),
  };
}

const byRegion = (expr: string): string => `max by (region) (${expr}{${REGION}})`;

export function regionDashboard(ctx: DashCtx): Dashboard {
  const t = ctx.kpi.thresholds;
  const level = ctx.kpi.alerts.congestion_level;
  const toRegion = [seriesLinks([drill('Open the region', UID.region, { region: '${__field.labels.region}' })])];
  return dashboard({
    uid: UID.region,
    title: 'Mist WAN / Region → sites',
    description: 'The sites of one or more regions, worst first, with links to each site; the regions\' live counts and trends.',
    questions: [
      'How many sites and circuits of these regions are down, unknown, congested or on a secondary circuit now?',
      'Which sites need attention (down circuits, congestion, poor quality, low availability, flaps, low SLE)? Click one to open it.',
      'How have availability, utilization and quality of each region moved over the time range?',
    ],
    variables: [regionVariable()],
    time: { from: 'now-24h', to: 'now' },
    refresh: '1m',
    sections: [
      {
        row: 'Now, in the selected regions',
        panels: [
          countNow('Sites down', 'Sites with no known circuit up now (site:mist_wan_down:bool1m), summed over the selected regions.', R.regionSitesDown),
          countNow('Circuits down', 'Known circuits down now (port down or gateway disconnected).', R.regionCircuitsDown),
          countNow('Circuits unknown', 'Circuits with no fresh data now (neither up nor down: stale or missing collection).', R.regionCircuitsUnknown, 'orange'),
          stat({
            title: 'Circuits up', description: 'Known circuits up now.', unit: 'none', decimals: 0,
            thresholds: [{ color: 'green', value: null }], queries: [q(`sum(${R.regionCircuitsUp}{${REGION}}) or vector(0)`)],
          }),
          countNow('Gateways on secondary', 'Gateways running on a circuit other than their primary now.', R.regionOnSecondary, 'orange'),
          stat({
            title: `Circuits congested (${level})`, description: `Circuits whose 5-minute utilization is at or above the ${level} threshold now.`,
            unit: 'none', decimals: 0, thresholds: anyIsBad('orange'),
            queries: [q(`sum(${R.regionCongested}{${REGION}, level="${level}"}) or vector(0)`)],
          }),
        ],
      },
      { row: 'Sites', panels: [table(siteTable(ctx), 24, 14)] },
      {
        row: 'Trends by region',
        panels: [
          timeseries({
            title: 'Availability per region (trailing hour)', description: 'Up minutes of the region\'s circuits over their known minutes, over the trailing hour. Red below the chronic-offender availability.',
            unit: 'percentunit', decimals: 2, max: 1, thresholds: availabilitySteps(ctx), overrides: toRegion,
            custom: { thresholdsStyle: { mode: 'dashed' } },
            queries: [q(byRegion(R.regionAvailability1h), { legend: '{{region}}', interval: ctx.d(MINUTE) })],
          }, 12),
          timeseries({
            title: 'Utilization p95 per region (5 min)', description: 'The 95th percentile of the circuits\' 5-minute utilization in each region; dashed: the default thresholds.',
            unit: 'percentunit', thresholds: levelSteps(t.utilization), overrides: toRegion, custom: { thresholdsStyle: { mode: 'dashed' } },
            queries: [q(byRegion(R.regionUtilizationP95), { legend: '{{region}}', interval: ctx.d(MINUTE) })],
          }, 12),
          timeseries({
            title: 'Down and unknown per region', description: 'Sites down, circuits down and circuits unknown in each region over time.',
            unit: 'none', decimals: 0, overrides: toRegion,
            queries: [
              q(`sum by (region) (${R.regionSitesDown}{${REGION}})`, { legend: '{{region}} sites down', interval: ctx.d(MINUTE) }),
              q(`sum by (region) (${R.regionCircuitsDown}{${REGION}})`, { legend: '{{region}} circuits down', interval: ctx.d(MINUTE) }),
              q(`sum by (region) (${R.regionCircuitsUnknown}{${REGION}})`, { legend: '{{region}} circuits unknown', interval: ctx.d(MINUTE) }),
            ],
          }, 12),
          timeseries({
            title: 'On secondary and congested per region', description: `Gateways on a secondary circuit and circuits at or above the ${level} utilization threshold, per region over time.`,
            unit: 'none', decimals: 0, overrides: toRegion,
            queries: [
              q(`sum by (region) (${R.regionOnSecondary}{${REGION}})`, { legend: '{{region}} on secondary', interval: ctx.d(MINUTE) }),
              q(`sum by (region) (${R.regionCongested}{${REGION}, level="${level}"})`, { legend: '{{region}} congested', interval: ctx.d(MINUTE) }),
            ],
          }, 12),
          ...QUALITY_KINDS.map((k) => timeseries({
            title: `${QUALITY[k].title} per region (trailing hour)`,
            description: `The region's circuits' ${k} over the trailing hour: each circuit's hourly mean, averaged over the circuits (each circuit weighs alike). Dashed: the default thresholds.`,
            unit: QUALITY[k].unit, overrides: toRegion, custom: { thresholdsStyle: { mode: 'dashed' } },
            thresholds: qualitySteps(ctx, k),
            queries: [q(byRegion(k === 'loss' ? R.regionLossAvg1h : k === 'latency' ? R.regionLatencyAvg1h : R.regionJitterAvg1h), { legend: '{{region}}', interval: ctx.d(MINUTE) })],
          }, 8)),
        ],
      },
    ],
  });
}
