import { R } from '../names.js';
import { familyOf } from '../promql.js';
import type { RecordingRule } from '../types.js';
import { CIRCUIT, GATEWAY, on, rule, type Ctx } from './context.js';
import { breachRules } from './thresholds.js';

const PATH = ['org_id', 'site_id', 'mac', 'port_id', 'peer_mac', 'peer_port_id', 'path_type'] as const;

/** The quality metrics: raw path metric, per-minute circuit series, breach flags, secondary series, config key. */
export const QUALITY = [
  { raw: 'mist_vpn_path_loss_ratio', minute: R.loss, breach: R.lossBreach, secondary: R.secondaryLoss, config: 'loss_ratio' },
  { raw: 'mist_vpn_path_latency_seconds', minute: R.latency, breach: R.latencyBreach, secondary: R.secondaryLatency, config: 'latency_seconds' },
  { raw: 'mist_vpn_path_jitter_seconds', minute: R.jitter, breach: R.jitterBreach, secondary: R.secondaryJitter, config: 'jitter_seconds' },
] as const;

/**
 * Quality of a circuit per minute: the mean over its VPN paths that are up (paths join onto the circuit by
 * port_id; docs/kpis.md says why paths and not the port's own fields), breach flags per level, and the quality
 * of the gateway's active circuit while it runs on a secondary. A stale vpn-peers snapshot is unknown (no sample).
 */
export function qualityRules(ctx: Ctx): RecordingRule[] {
  const pathUp = ctx.raw('mist_vpn_path_up');
  const active = ctx.raw('mist_wan_port_active');
  return QUALITY.flatMap((q) => [
    rule(q.minute, ctx.ifFresh(`avg by (${CIRCUIT.join(', ')}) (${ctx.raw(q.raw)} and ${on(PATH)} (${pathUp} == 1))`, familyOf(q.raw))),
    ...breachRules(ctx, q.breach, q.minute, q.config),
  ]).concat(QUALITY.map((q) => rule(q.secondary,
    `max by (${GATEWAY.join(', ')}) (${q.minute} and ${on(CIRCUIT)} (${active} == 1)) and ${on(GATEWAY)} (${R.onSecondary} == 1)`)));
}
