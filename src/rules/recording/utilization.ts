import { R } from '../names.js';
import type { RecordingRule } from '../types.js';
import { CIRCUIT, on, rule, type Ctx } from './context.js';
import { breachRules } from './thresholds.js';

/** The larger of the two directions' ratios, one series per circuit. */
export function maxOfDirections(receive: string, transmit: string): string {
  return `max by (${CIRCUIT.join(', ')}) (
    label_replace(${receive}, "direction", "receive", "", "")
    or label_replace(${transmit}, "direction", "transmit", "", ""))`;
}

/**
 * Bytes over a window / (bandwidth × the seconds of the minutes that have a delta): a missed minute is not read as
 * idle. A bandwidth of 0 (unknown speed) gives no ratio rather than +Inf.
 */
export function bytesRatio(ctx: Ctx, bytes: string, bandwidth: string, window: string): string {
  return `sum_over_time(${bytes}[${window}]) / (count_over_time(${bytes}[${window}]) * ${ctx.grain}) / ${on(CIRCUIT)} (${ctx.raw(bandwidth)} > 0)`;
}

/** Both directions' ratios over a window, the larger one. */
export const utilizationOver = (ctx: Ctx, window: string): string => maxOfDirections(
  bytesRatio(ctx, R.receiveBytes, 'mist_wan_port_receive_bandwidth_bytes_per_second', window),
  bytesRatio(ctx, R.transmitBytes, 'mist_wan_port_transmit_bandwidth_bytes_per_second', window));

/**
 * Bytes per grain (reset-proof deltas), the 5-minute utilization ratio (bytes over the known minutes of the
 * window / (bandwidth × seconds), the larger direction), its 0/1 breach per level, and run lengths above each
 * level: unclipped (the live continuous mode), clipped to the clock hour and to the UTC day.
 */
export function utilizationRules(ctx: Ctx): RecordingRule[] {
  const clipped = (period: number): string =>
    `${R.utilizationRun} - clamp_min(${R.utilizationRun} - ${ctx.periodSoFar(period)}, 0)`;
  return [
    rule(R.receiveBytes, ctx.delta('mist_wan_port_receive_bytes_total')),
    rule(R.transmitBytes, ctx.delta('mist_wan_port_transmit_bytes_total')),
    rule(R.utilization5m, utilizationOver(ctx, ctx.w(5 * ctx.grain))),
    ...breachRules(ctx, R.utilizationBreach, R.utilization5m, 'utilization'),
    // Reads its own previous value: + one grain while the flag is 1, 0 when it is 0, restarts when absent.
    rule(R.utilizationRun, `(${R.utilizationRun} + ${ctx.grain}) * ${R.utilizationBreach} or ${R.utilizationBreach} * ${ctx.grain}`),
    rule(R.utilizationRunHour, clipped(ctx.hour)),
    rule(R.utilizationRunDay, clipped(ctx.day)),
  ];
}
