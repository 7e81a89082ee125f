import { unit } from '../random.js';
import type { AlarmType } from './alarms.js';
import type { EngineContext } from './context.js';
import { STREAM } from './context.js';

/** Thresholds that make a user-minute "degraded" (Mist's defaults are in the same range). */
export const SLE_LIMITS = { utilization: 0.9, lossPct: 2, latencyMs: 150, jitterMs: 30, cpuPct: 85, memPct: 90 } as const;
const FLAP_DECAY = Math.exp(-1 / 60);

/**
 * Closes minute `m`: writes the truth history, accounts SLE user-minutes, and raises or clears alarms.
 * Reads the accumulators filled since the minute began, then resets them.
 */
export function finishMinute(ctx: EngineContext, m: number): void {
  const { org, state: s, history } = ctx;
  const at = m * 60;
  const end = at + 60;
  const base = history.beginMinute(m);
  const portBad = new Uint8Array(org.wanPorts.length);

  for (const port of org.wanPorts) {
    const p = port.index;
    // Utilisation is relative to the contract (down and up), not the port's link speed.
    const rxUtil = s.minRxBytes[p]! / ((port.speedMbps * 1e6 * 60) / 8);
    const txUtil = s.minTxBytes[p]! / ((port.upMbps * 1e6 * 60) / 8);
    let n = 0; let loss = 0; let lat = 0; let jit = 0;
    for (const v of ctx.pathsByPort[p]!) {
      if (s.pathUp[v] === 0) continue;
      n++; loss += s.pathLossPct[v]!; lat += s.pathLatencyMs[v]!; jit += s.pathJitterMs[v]!;
    }
    history.write(base, p, {
      rxUtil, txUtil, upSeconds: s.minUpSeconds[p]!, activeSeconds: s.minActiveSeconds[p]!, transitions: s.minTransitions[p]!,
      pathLossPct: n ? loss / n : null, pathLatencyMs: n ? lat / n : null, pathJitterMs: n ? jit / n : null,
    });
    let cls = 0;
    if (s.minUpSeconds[p]! < 30) cls = 1;
    else {
      if (rxUtil > SLE_LIMITS.utilization) cls |= 1 << 1;
      if (s.lossPct[p]! > SLE_LIMITS.lossPct) cls |= 1 << 2;
      if (s.latencyMs[p]! > SLE_LIMITS.latencyMs) cls |= 1 << 3;
      if (s.jitterMs[p]! > SLE_LIMITS.jitterMs) cls |= 1 << 4;
      if (ctx.pathsByPort[p]!.length > 0 && n === 0) cls |= 1 << 5;
      if (port.kind === 'lte' && unit(ctx.seed, STREAM.lte, p, m) < 0.02) cls |= 1 << 6;
      if (cls !== 0) portBad[p] = 1;
    }
    ctx.portSle.record(at, p, 'wan-link-health', cls);
    ctx.siteSle.record(at, port.siteIndex, 'wan-link-health', cls);
    s.flapRate[p] = s.flapRate[p]! * FLAP_DECAY;
  }

  for (const gw of org.gateways) {
    const g = gw.index;
    const site = gw.siteIndex;
    let gwCls = 0;
    if (s.minDisconnectedSeconds[g]! > 30) gwCls |= 1;
    if (s.cpuPct[g]! > SLE_LIMITS.cpuPct) gwCls |= 1 << 1;
    if (s.memPct[g]! > SLE_LIMITS.memPct) gwCls |= 1 << 2;
    ctx.siteSle.record(at, site, 'gateway-health', gwCls);

    const a = s.activePort[g]!;
    let appCls = 0;
    if (a < 0) appCls = 1;
    else {
      if (s.demandRatio[a]! > SLE_LIMITS.utilization) appCls |= 1 << 1;
      if (s.lossPct[a]! > SLE_LIMITS.lossPct) appCls |= 1 << 2;
      if (s.latencyMs[a]! > SLE_LIMITS.latencyMs) appCls |= 1 << 3;
      if (s.jitterMs[a]! > SLE_LIMITS.jitterMs) appCls |= 1 << 4;
    }
    ctx.siteSle.record(at, site, 'application-health', appCls);
    applyAlarmRules(ctx, g, end, gw.wanPortIndexes.some((p) => portBad[p] === 1));
    s.minDisconnectedSeconds[g] = 0;
  }

  s.minRxBytes.fill(0);
  s.minTxBytes.fill(0);
  s.minUpSeconds.fill(0);
  s.minActiveSeconds.fill(0);
  s.minTransitions.fill(0);
}

function applyAlarmRules(ctx: EngineContext, g: number, at: number, bad: boolean): void {
  const { state: s, org } = ctx;
  const gw = org.gateways[g]!;
  const connected = s.connected[g] === 1;
  hold(ctx, 'gateway_down', g, at, !connected && at - s.disconnectedSince[g]! >= 120, connected);
  const primary = gw.wanPortIndexes[0]!;
  const primaryDown = s.up[primary] === 0;
  hold(ctx, 'gw_critical_port_down', g, at, connected && primaryDown && at - s.lastFlapped[primary]! >= 120, !primaryDown);
  if (bad) {
    s.badMinutes[g] = Math.min(65_535, s.badMinutes[g]! + 1);
    s.goodMinutes[g] = 0;
  } else {
    s.goodMinutes[g] = Math.min(65_535, s.goodMinutes[g]! + 1);
    s.badMinutes[g] = 0;
  }
  hold(ctx, 'bad_wan_uplink', g, at, s.badMinutes[g]! >= 10, s.goodMinutes[g]! >= 10);
  let maxRate = 0;
  for (const p of gw.wanPortIndexes) maxRate = Math.max(maxRate, s.flapRate[p]!);
  hold(ctx, 'port_flap', g, at, maxRate >= 5, maxRate < 0.5);
}

/** Raises (or keeps current) an alarm while `on`; clears it once `off`. Neither: leave it as it is. */
function hold(ctx: EngineContext, type: AlarmType, g: number, at: number, on: boolean, off: boolean): void {
  const site = ctx.org.gateways[g]!.siteIndex;
  if (on) {
    if (ctx.alarms.isOpen(type, site)) ctx.alarms.touch(type, site, at);
    else ctx.alarms.raise(type, site, g, at);
  } else if (off && ctx.alarms.isOpen(type, site)) ctx.alarms.clear(type, site, at);
}
