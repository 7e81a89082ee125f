import { R } from '../names.js';
import { familyOf } from '../promql.js';
import type { RecordingRule } from '../types.js';
import { rule, type Ctx } from './context.js';

/**
 * Failovers per grain (reset-proof, per circuit left and to_port_id) and whether the gateway runs on a secondary
 * (unknown while the circuits family is stale). The counter is not gated: it catches up exactly after an outage
 * (the count is exact, only the minute it lands in shifts; docs/kpis.md).
 */
export function failoverRules(ctx: Ctx): RecordingRule[] {
  return [
    rule(R.failovers, ctx.delta('mist_wan_port_failovers_total')),
    rule(R.onSecondary, ctx.ifFresh(ctx.raw('mist_gateway_failed_over'), familyOf('mist_gateway_failed_over'))),
  ];
}
