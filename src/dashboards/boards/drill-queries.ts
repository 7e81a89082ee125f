import type { DashCtx } from '../context.js';
import type { DataLink, FieldOverride, ThresholdStep } from '../grafana.js';
import { LEVEL_COLOURS, levelSteps } from '../build.js';
import { LEVELS } from '../../rules/config.js';
import { metric, R } from '../queries.js';

/**
 * PromQL and field helpers of the drill-down boards (region → site → circuit). Raw metrics are read through
 * `raw()` (`max without (instance, job)`: the shipped prometheus.yml scrapes two exporter replicas, whose series
 * differ only there); recorded series carry no instance or job.
 */

/** A raw metric with its replicas folded: `max without (instance, job) (name{matchers})`. */
export const raw = (name: string, matchers = ''): string =>
  `max without (instance, job) (${metric(name)}${matchers ? `{${matchers}}` : ''})`;

/** The labels that identify a circuit (gateway WAN port) and a VPN path. */
export const CIRCUIT_ID = 'org_id, site_id, mac, port_id';
export const PATH_ID = 'org_id, site_id, mac, port_id, peer_mac, peer_port_id, path_type';

// ---------------------------------------------------------------- gateways

export const GATEWAY_LABELS = 'gateway_name, model, version';

/** `expr` (gateway level, {org_id, site_id, mac}) with the gateway's name, model and firmware version. */
export const withGateway = (expr: string, matchers = ''): string =>
  `(${expr}) * on (org_id, site_id, mac) group_left (${GATEWAY_LABELS}) group by (org_id, site_id, mac, ${GATEWAY_LABELS}) (${metric('mist_gateway_info')}${matchers ? `{${matchers}}` : ''})`;

// ---------------------------------------------------------------- VPN paths

const PATH_NAMES = 'router_name, wan_name, peer_router_name, peer_wan_name';

/** `expr` (path level) with the router and WAN names of both ends (mist_vpn_path_info). */
export const withPathNames = (expr: string): string =>
  `(${expr}) * on (${PATH_ID}) group_left (${PATH_NAMES}) group by (${PATH_ID}, ${PATH_NAMES}) (${metric('mist_vpn_path_info')})`;

/**
 * The site's VPN paths, from either end: those its gateways report (`site_id`) and those other gateways report
 * towards them (`peer_mac`). A hub reports none of its own (its spokes report the paths to it), so without the
 * second half a hub's page would show no path.
 */
export function sitePaths(name: string, scope: 'site' | 'circuit'): string {
  const own = raw(name, scope === 'site' ? 'site_id="$site_id"' : 'site_id="$site_id", port_id="$port_id"');
  const gateways = `label_replace(group by (org_id, mac) (${metric('mist_gateway_info')}{site_id="$site_id"}), "peer_mac", "$1", "mac", "(.+)")`;
  const towards = `(${raw(name, scope === 'site' ? '' : 'peer_port_id="$port_id"')} and on (org_id, peer_mac) ${gateways})`;
  return `(${own} or ${towards})`;
}

// ---------------------------------------------------------------- circuit quality

/**
 * A circuit's quality now (recorded: the mean over its up VPN paths), or, for a circuit that reports no path of
 * its own (a hub's: its spokes report the paths that end on it), the mean over the up paths that end on it, as
 * their other ends measure them (a path's loss, latency and jitter are end to end). `circuitMatchers` select the
 * circuits (mist_wan_port_info matchers, e.g. site_id="$site_id").
 */
export function circuitQuality(recorded: string, pathMetric: string, circuitMatchers = ''): string {
  const m = circuitMatchers ? `{${circuitMatchers}}` : '';
  const upPaths = `(${raw(pathMetric)} and on (${PATH_ID}) (${raw('mist_vpn_path_up')} == 1))`;
  const byPeer = `label_replace(label_replace(avg by (org_id, peer_mac, peer_port_id) ${upPaths}, "mac", "$1", "peer_mac", "(.+)"), "port_id", "$1", "peer_port_id", "(.+)")`;
  const ending = `max by (${CIRCUIT_ID}) (${byPeer} * on (org_id, mac, port_id) group_left (site_id) group by (${CIRCUIT_ID}) (${metric('mist_wan_port_info')}${m}))`;
  return `(${recorded}${m} or on (${CIRCUIT_ID}) ${ending})`;
}

export const QUALITY = {
  loss: { title: 'Loss', recorded: R.loss, path: 'mist_vpn_path_loss_ratio', threshold: R.lossThreshold, config: 'loss_ratio', unit: 'percentunit' },
  latency: { title: 'Latency', recorded: R.latency, path: 'mist_vpn_path_latency_seconds', threshold: R.latencyThreshold, config: 'latency_seconds', unit: 's' },
  jitter: { title: 'Jitter', recorded: R.jitter, path: 'mist_vpn_path_jitter_seconds', threshold: R.jitterThreshold, config: 'jitter_seconds', unit: 's' },
} as const;

export type QualityKind = keyof typeof QUALITY;
export const QUALITY_KINDS = ['loss', 'latency', 'jitter'] as const satisfies readonly QualityKind[];

/** Colour steps of a quality KPI from prometheus/kpi-config.yml. */
export const qualitySteps = (ctx: DashCtx, k: QualityKind): ThresholdStep[] => levelSteps(ctx.kpi.thresholds[QUALITY[k].config]);

// ---------------------------------------------------------------- thresholds as series

/**
 * The threshold series (mist_kpi:*_threshold:*) that apply to the site `$site_id`: its region's where
 * prometheus/kpi-config.yml overrides a level for it, else the default (region ""). One series per level.
 */
export const siteThresholds = (name: string): string =>
  `max by (level) ((${name} * on (region) group_left () group by (region) (${metric('mist_site_info')}{site_id="$site_id"})) or on (level) ${name}{region=""})`;

/** Legend of a threshold series; the overrides below colour it by level and draw it dashed. */
export const THRESHOLD_LEGEND = '{{level}} threshold';

export const thresholdOverrides = (): FieldOverride[] => LEVELS.map((level) => ({
  matcher: { id: 'byName', options: `${level} threshold` },
  properties: [
    { id: 'color', value: { mode: 'fixed', fixedColor: LEVEL_COLOURS[level] } },
    { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
    { id: 'custom.fillOpacity', value: 0 },
    { id: 'custom.lineWidth', value: 1 },
  ],
}));

// ---------------------------------------------------------------- colours

/** Red below the availability that makes a chronic-offender day (prometheus/kpi-config.yml), green at or above. */
export const availabilitySteps = (ctx: DashCtx): ThresholdStep[] =>
  [{ color: 'red', value: null }, { color: 'green', value: ctx.kpi.chronic.availability_below }];

/** Red below the SLE alert's level, green at or above. */
export const sleSteps = (ctx: DashCtx): ThresholdStep[] =>
  [{ color: 'red', value: null }, { color: 'green', value: ctx.kpi.alerts.sle_below }];

// ---------------------------------------------------------------- value mappings

type Mapping = { type: 'value'; options: Record<string, { text: string; color: string; index: number }> };

/** 0/1 mapped to two words and colours, e.g. onOff('Down', 'red', 'Up', 'green'). */
export const onOff = (zero: string, zeroColour: string, one: string, oneColour: string): Mapping[] =>
  [{ type: 'value', options: { 0: { text: zero, color: zeroColour, index: 0 }, 1: { text: one, color: oneColour, index: 1 } } }];

/** A table column coloured by its value mapping or thresholds (cell background). */
export const colourCells = (field: string): FieldOverride =>
  ({ matcher: { id: 'byName', options: field }, properties: [{ id: 'custom.cellOptions', value: { type: 'color-background' } }] });

/** Several properties on one column. */
export const column = (field: string, properties: Record<string, unknown>): FieldOverride =>
  ({ matcher: { id: 'byName', options: field }, properties: Object.entries(properties).map(([id, value]) => ({ id, value })) });

/**
 * Data links on the series of a graph: on the values of one query (`refId`), or of all (numeric fields). An
 * override, not fieldConfig.defaults.links (Grafana's dashboard schema types that one as dashboard links).
 */
export const seriesLinks = (links: DataLink[], refId?: string): FieldOverride => ({
  matcher: refId ? { id: 'byFrameRefID', options: refId } : { id: 'byType', options: 'number' },
  properties: [{ id: 'links', value: links }],
});
