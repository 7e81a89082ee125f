import { R } from '../names.js';
import type { RecordingRule } from '../types.js';
import { rule, type Ctx } from './context.js';

/** Failovers per grain (reset-proof, per circuit left and to_port_id) and whether the gateway runs on a secondary. */
export function failoverRules(ctx: Ctx): RecordingRule[] {
  return [
    rule(R.failovers, ctx.delta('mist_wan_port_failovers_total')),
    rule(R.onSecondary, ctx.raw('mist_gateway_failed_over')),
  ];
}
