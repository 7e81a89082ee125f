import { R } from '../names.js';
import type { RecordingRule } from '../types.js';
import { rule, type Ctx } from './context.js';

/**
 * Flaps per grain from the events counter (GW_PORT_DOWN + GW_PORT_UP: every transition, even one shorter than a
 * collection, which the up series cannot see), reset-proof.
 */
export function flapRules(ctx: Ctx): RecordingRule[] {
  return [rule(R.flaps, ctx.delta('mist_wan_port_flaps_total'))];
}
