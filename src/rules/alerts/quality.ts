import { metric } from '../promql.js';
import { R } from '../names.js';
import type { AlertingRule } from '../types.js';
import { alertRule, circuit, CIRCUIT_KEYS, heldWhile, withCircuit, withSite, where, type AlertContext } from './common.js';

/**
 * Sustained degradation: congestion and path quality from the recorded per-minute series (the breach flags
 * carry the per-region thresholds), the site's WAN SLE from the raw sle family. Same unknown rules as outages.
 */

export function circuitCongested(ctx: AlertContext): AlertingRule {
  const a = ctx.config.alerts;
  const alert = 'MistCircuitCongested';
  const flag = `${R.utilizationBreach}{level="${a.congestion_level}"}`;
  // The value is the utilization (for the description); the flag decides, so region overrides apply.
  const held = `last_over_time(${R.utilization5m}[${ctx.hold}]) and on (${CIRCUIT_KEYS.join(', ')}) ${heldWhile(ctx, alert, flag, '== 1', CIRCUIT_KEYS)}`;
  return alertRule(ctx, {
    alert,
    expr: withSite(ctx, withCircuit(ctx, held, flag), flag),
    forSeconds: a.congestion_for,
    severity: 'warning',
    summary: 'A WAN circuit has been congested for a sustained period.',
    description: `The ${circuit} at ${where} has been above its ${a.congestion_level} utilization threshold for at least ${ctx.d(a.congestion_for)}: {{ $value | humanizePercentage }} of its bandwidth over the last 5 minutes.`,
  });
}

const QUALITY = [
  { metric: 'loss', value: R.loss, flag: R.lossBreach },
  { metric: 'latency', value: R.latency, flag: R.latencyBreach },
  { metric: 'jitter', value: R.jitter, flag: R.jitterBreach },
] as const;

export function pathQualityDegraded(ctx: AlertContext): AlertingRule {
  const a = ctx.config.alerts;
  const alert = 'MistPathQualityDegraded';
  const on = CIRCUIT_KEYS.join(', ');
  const branches = QUALITY.map((q) => {
    const flag = `${q.flag}{level="${a.path_quality_level}"}`;
    const held = `last_over_time(${q.value}[${ctx.hold}]) and on (${on}) ${heldWhile(ctx, alert, flag, '== 1', CIRCUIT_KEYS, `metric="${q.metric}"`)}`;
    return `label_replace(${held}, "metric", "${q.metric}", "", "")`;
  });
  // Any circuit with a flag: the info join's fallback keys.
  const anyFlag = `${QUALITY[0].flag}{level="${a.path_quality_level}"}`;
  return alertRule(ctx, {
    alert,
    expr: withSite(ctx, withCircuit(ctx, branches.join(' or '), anyFlag), anyFlag),
    forSeconds: a.path_quality_for,
    severity: 'warning',
    summary: 'VPN path quality of a WAN circuit has been degraded for a sustained period.',
    description: `The {{ $labels.metric }} of the ${circuit} at ${where}, the mean over its up VPN paths, has been above its ${a.path_quality_level} threshold for at least ${ctx.d(a.path_quality_for)}: {{ if eq $labels.metric "loss" }}{{ $value | humanizePercentage }}{{ else }}{{ $value | humanizeDuration }}{{ end }} now.`,
  });
}

export function siteSleDegraded(ctx: AlertContext): AlertingRule {
  const a = ctx.config.alerts;
  const alert = 'MistSiteSleDegraded';
  const sle = metric('mist_site_sle_ratio');
  const keys = ['org_id', 'site_id', 'sle'] as const;
  // Raw series: one per exporter replica; max without (instance, job) makes it one alert per site and SLE.
  const held = `max without (instance, job) (${heldWhile(ctx, alert, sle, `< ${a.sle_below}`, keys)})`;
  return alertRule(ctx, {
    alert,
    expr: withSite(ctx, held, sle),
    forSeconds: a.sle_for,
    severity: 'warning',
    summary: 'A site\'s WAN SLE has been below its target for a sustained period.',
    description: `The {{ $labels.sle }} WAN SLE of ${where} has been below ${Number((a.sle_below * 100).toFixed(4))} % for at least ${ctx.d(a.sle_for)}: {{ $value | humanizePercentage }} of user-minutes were not degraded over Mist's last hour.`,
  });
}
