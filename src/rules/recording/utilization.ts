import { R } from '../names.js';
import type { RecordingRule } from '../types.js';
import { familyOf, lagged } from '../promql.js';
import { CIRCUIT, on, rule, type Ctx } from './context.js';
import { breachRules } from './thresholds.js';

/** The family serving the byte counters (its freshness gates the byte deltas). */
const BYTES_FAMILY = familyOf('mist_wan_port_receive_bytes_total');

/** The larger of the two directions' ratios, one series per circuit. */
export function maxOfDirections(receive: string, transmit: string): string {
  return `max by (${CIRCUIT.join(', ')}) (
    label_replace(${receive}, "direction", "receive", "", "")
    or label_replace(${transmit}, "direction", "transmit", "", ""))`;
}

/**
 * Bytes over a window / (bandwidth × the data seconds those bytes cover): Σ bytes / Σ covered seconds, so a missed,
 * stale or late minute is not read as idle (a snapshot that did not advance adds 0 bytes over 0 s; the late one's
 * next minute adds two minutes of bytes over 120 s). No covered seconds or a bandwidth of 0 (unknown speed) gives
 * no ratio rather than NaN or +Inf.
 */
export function bytesRatio(ctx: Ctx, bytes: string, bandwidth: string, window: string): string {
  return `sum_over_time(${bytes}[${window}]) / (sum_over_time(${R.bytesSeconds}[${window}]) > 0) / ${on(CIRCUIT)} (${ctx.raw(bandwidth)} > 0)`;
}

/**
 * Bytes per grain, kept only when wan-ports was fresh at both samples of the delta: the delta after a gap would
 * pour the gap's bytes into one minute. Those minutes are unknown (neither bytes nor seconds in any ratio).
 */
const bothEndsFresh = (ctx: Ctx, expr: string): string =>
  `${ctx.ifFresh(expr, BYTES_FAMILY)} and on (org_id) (${ctx.freshness(2, BYTES_FAMILY)} == 1)`;

/**
 * The data seconds a circuit's byte deltas cover: the change of the wan-ports snapshot's last success between the
 * two samples, in data seconds (× 1 / timeScale: the collector's clock is the wall clock), 0 while the snapshot
 * stands still (a failing collector's frozen counters count as no time, not as idle time).
 */
function coveredSeconds(ctx: Ctx): string {
  const o = { matchers: 'family="wan-ports"' };
  const ls = (back: number): string => lagged('mist_collector_last_success_timestamp_seconds', back * ctx.grain, o);
  const scale = ctx.grain === ctx.unit ? '' : ` * ${ctx.unit / ctx.grain}`;
  const seconds = `clamp_min(${ls(1)} - ${ls(2)}, 0)${scale}`;
  // Where the circuit has a byte delta (already gated on both ends being fresh).
  return `max by (${CIRCUIT.join(', ')}) (${R.receiveBytes} or ${R.transmitBytes}) * 0 + ${on(['org_id'])} group_left () (${seconds})`;
}

/** Both directions' ratios over a window, the larger one. */
export const utilizationOver = (ctx: Ctx, window: string): string => maxOfDirections(
  bytesRatio(ctx, R.receiveBytes, 'mist_wan_port_receive_bandwidth_bytes_per_second', window),
  bytesRatio(ctx, R.transmitBytes, 'mist_wan_port_transmit_bandwidth_bytes_per_second', window));

/**
 * Bytes per grain (reset-proof deltas) and the data seconds they cover, the 5-minute utilization ratio (bytes
 * over the window / (bandwidth × covered seconds), the larger direction), its 0/1 breach per level, and run lengths above each
 * level: unclipped (the live continuous mode), clipped to the clock hour and to the UTC day.
 */
export function utilizationRules(ctx: Ctx): RecordingRule[] {
  const clipped = (period: number): string =>
    `${R.utilizationRun} - clamp_min(${R.utilizationRun} - ${ctx.periodSoFar(period)}, 0)`;
  return [
    rule(R.receiveBytes, bothEndsFresh(ctx, ctx.delta('mist_wan_port_receive_bytes_total'))),
    rule(R.transmitBytes, bothEndsFresh(ctx, ctx.delta('mist_wan_port_transmit_bytes_total'))),
    rule(R.bytesSeconds, coveredSeconds(ctx)),
    rule(R.utilization5m, utilizationOver(ctx, ctx.w(5 * ctx.grain))),
    ...breachRules(ctx, R.utilizationBreach, R.utilization5m, 'utilization'),
    // Reads its own previous value: + one grain of data (60 s) while the flag is 1, 0 when it is 0, restarts when absent.
    rule(R.utilizationRun, `(${R.utilizationRun} + ${ctx.unit}) * ${R.utilizationBreach} or ${R.utilizationBreach} * ${ctx.unit}`),
    rule(R.utilizationRunHour, clipped(ctx.hour)),
    rule(R.utilizationRunDay, clipped(ctx.day)),
  ];
}
