import type { SimEngine } from '../engine/engine.js';
import { SLE_LIMITS } from '../engine/minute.js';
import { SLE_METRICS, SLE_METRIC_NAMES, scoreOf, type SleMetric } from '../engine/sle.js';
import type { SimSite } from '../model/types.js';
import type { Window } from '../http/window.js';

/** SLE views: org sites-sle rows, worst sites, and the per-site SLE endpoints. */

const round = (v: number): number => Math.round(v * 1e6) / 1e6;

export function isSleMetric(name: string): name is SleMetric {
  return (SLE_METRIC_NAMES as string[]).includes(name);
}

export function siteScore(engine: SimEngine, siteIndex: number, metric: SleMetric, w: Window): number {
  return round(scoreOf(engine.ctx.siteSle.totals(siteIndex, metric, w.start, w.end)) ?? 1);
}

/** A sites-sle (sle=wan) row; keys as live Mist sends them (`application-health` with a hyphen). */
export function sitesSleRow(engine: SimEngine, site: SimSite, w: Window): Record<string, unknown> {
  return {
    site_id: site.id,
    'gateway-health': siteScore(engine, site.index, 'gateway-health', w),
    'wan-link-health': siteScore(engine, site.index, 'wan-link-health', w),
    'application-health': siteScore(engine, site.index, 'application-health', w),
    num_gateways: 1,
    num_clients: site.isHub ? 0 : 20 + (site.index * 37) % 180,
  };
}

export function summaryView(engine: SimEngine, site: SimSite, metric: SleMetric, w: Window, interval: number, withImpact: boolean): Record<string, unknown> {
  const series = engine.ctx.siteSle.series(site.index, metric, w.start, w.end, interval);
  const sle = {
    name: metric, interval, x_label: 'time', y_label: 'user-minutes',
    samples: {
      total: series.map((t) => t.total),
      degraded: series.map((t) => t.degraded),
      value: series.map((t) => (t.total === 0 ? null : round(scoreOf(t) ?? 1))),
    },
  };
  const impact = { num_users: 0, num_aps: 0, total_users: 0, total_aps: 0 };
  const classifiers = SLE_METRICS[metric].map((name) => ({
    name, interval, x_label: 'time', y_label: 'user-minutes',
    ...(withImpact ? { impact } : {}),
    samples: {
      total: series.map((t) => t.total),
      degraded: series.map((t) => t.classifiers[name] ?? 0),
      duration: series.map((t) => (t.classifiers[name] ?? 0) * 60),
    },
  }));
  return withImpact
    ? { start: w.start, end: w.end, sle, classifiers, events: [], impact }
    : { start: w.start, end: w.end, sle, classifiers };
}

export function thresholdView(metric: SleMetric): Record<string, unknown> {
  switch (metric) {
    case 'gateway-health':
      return { metric, default: SLE_LIMITS.cpuPct, minimum: 50, maximum: 100, threshold: SLE_LIMITS.cpuPct, units: '%', direction: 'right' };
    case 'wan-link-health':
      return { metric, default: SLE_LIMITS.utilization * 100, minimum: 50, maximum: 100, threshold: SLE_LIMITS.utilization * 100, units: '%', direction: 'right' };
    case 'application-health':
      return { metric, default: SLE_LIMITS.latencyMs, minimum: 50, maximum: 500, threshold: SLE_LIMITS.latencyMs, units: 'ms', direction: 'right' };
  }
}

/** Histogram of the quantity each metric's threshold applies to, over the site's circuits' recent minutes. */
export function histogramView(engine: SimEngine, site: SimSite, metric: SleMetric, w: Window): Record<string, unknown> {
  const gw = engine.org.gateways[site.gatewayIndex]!;
  const edges = metric === 'application-health' ? [0, 25, 50, 100, 150, 250, 500] : [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
  const counts = new Array<number>(edges.length).fill(0);
  for (const p of gw.wanPortIndexes) {
    for (const rec of engine.ctx.history.read(p, Math.floor(w.start / 60), Math.ceil(w.end / 60))) {
      const v = metric === 'application-health' ? (rec.pathLatencyMs ?? 0) : rec.rxUtil * 100;
      let k = edges.findIndex((e, i) => v < (edges[i + 1] ?? Infinity) && v >= e);
      if (k < 0) k = edges.length - 1;
      counts[k]! += 1;
    }
  }
  return {
    start: w.start, end: w.end, metric,
    x_label: metric === 'application-health' ? 'ms' : '%', y_label: 'minutes',
    data: edges.map((e, i) => ({ range: [e, edges[i + 1] ?? null], value: counts[i]! })),
  };
}

export function impactedGatewaysView(engine: SimEngine, site: SimSite, metric: SleMetric, classifier: string, w: Window): Record<string, unknown> {
  const gw = engine.org.gateways[site.gatewayIndex]!;
  const t = engine.ctx.siteSle.totals(site.index, metric, w.start, w.end);
  const degraded = classifier ? t.classifiers[classifier] ?? 0 : t.degraded;
  const gateways = degraded > 0 ? [{
    gateway_mac: gw.mac, name: gw.name, gateway_model: gw.model, gateway_version: gw.version,
    degraded, duration: t.total * 60, total: t.total,
  }] : [];
  return { start: Math.floor(w.start), end: Math.floor(w.end), metric, classifier, failure: '', limit: 1000, page: 1, total_count: gateways.length, gateways };
}

/** Impacted WAN interfaces: per-port wan-link-health accounting; other metrics are per site, so they report none. */
export function impactedInterfacesView(engine: SimEngine, site: SimSite, metric: SleMetric, classifier: string, w: Window): Record<string, unknown> {
  const gw = engine.org.gateways[site.gatewayIndex]!;
  const interfaces = metric !== 'wan-link-health' ? [] : gw.wanPortIndexes.flatMap((p) => {
    const t = engine.ctx.portSle.totals(p, 'wan-link-health', w.start, w.end);
    const degraded = classifier ? t.classifiers[classifier] ?? 0 : t.degraded;
    const port = engine.org.wanPorts[p]!;
    return degraded > 0 ? [{ interface_name: port.portId, gateway_mac: gw.mac, gateway_name: gw.name, degraded, duration: t.total * 60, total: t.total }] : [];
  });
  return { start: Math.floor(w.start), end: Math.floor(w.end), metric, classifier, failure: '', limit: 1000, page: 1, total_count: interfaces.length, interfaces };
}
