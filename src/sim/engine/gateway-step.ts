import { unit } from '../random.js';
import type { SimGateway } from '../model/types.js';
import type { EngineContext } from './context.js';
import { STREAM } from './context.js';
import { MAX_UTIL, UPLOAD_RATIO, diurnal, qualityAt } from './traffic.js';

/** Share of demand the active circuit carries when another broadband circuit is up (load sharing). */
const ACTIVE_SHARE = 0.9;
/** Probe and keepalive traffic on an idle LTE backup, in Mbps. */
const LTE_IDLE_MBPS = 0.05;

/**
 * Re-evaluates one gateway at time `at` (minute `minute`): connectivity, active circuit, traffic and quality.
 * Emits an event for every transition. Called at every minute boundary and when an incident starts or ends.
 */
export function stepGateway(ctx: EngineContext, gw: SimGateway, at: number, minute: number): void {
  const { org, state: s, incidents } = ctx;
  const site = org.sites[gw.siteIndex]!;
  const g = gw.index;
  const forcedReboot = incidents.rebootStarting(site.index, at);
  if (forcedReboot) startReboot(ctx, gw, forcedReboot.end);
  const connected = at >= s.rebootUntil[g]! && at >= s.outageUntil[g]! && !incidents.siteOutage(site.index, at);
  if (connected !== (s.connected[g] === 1)) {
    s.connected[g] = connected ? 1 : 0;
    if (!connected) s.disconnectedSince[g] = at;
    ctx.events.add({ type: connected ? 'GW_CONNECTED' : 'GW_DISCONNECTED', timestamp: at, siteIndex: site.index, gatewayIndex: g, text: connected ? 'Gateway connected to the cloud' : 'Gateway disconnected from the cloud' });
  }
  if (connected) s.lastSeen[g] = at;

  let active = -1;
  for (const p of gw.wanPortIndexes) {
    const port = org.wanPorts[p]!;
    const up = connected && at >= s.randomDownUntil[p]! && !incidents.portForcedDown(p, site.index, at);
    if (up !== (s.up[p] === 1)) {
      s.up[p] = up ? 1 : 0;
      s.lastFlapped[p] = at;
      s.transitions[p]! += 1;
      s.minTransitions[p]! += 1;
      s.flapRate[p]! += 1;
      ctx.events.add({
        type: up ? 'GW_PORT_UP' : 'GW_PORT_DOWN', timestamp: at, siteIndex: site.index, gatewayIndex: g, portId: port.portId,
        text: `Port ${port.portId} (${port.wanName}) is ${up ? 'up' : 'down'}`,
      });
    }
    if (up && active < 0) active = p; // wanPortIndexes are in priority order: primary first
  }
  const previous = s.activePort[g]!;
  const primary = gw.wanPortIndexes[0]!;
  if (previous === primary && active >= 0 && active !== primary) s.failovers[g]! += 1;
  s.activePort[g] = active;

  // Demand follows the primary circuit's busy-hour profile in the site's local time.
  const primaryPort = org.wanPorts[primary]!;
  const localMinute = Math.floor(at / 60) + site.tzOffsetMinutes;
  const demandMbps = diurnal(localMinute) * primaryPort.traits.peakUtil * primaryPort.speedMbps *
    (0.9 + 0.2 * unit(ctx.seed, STREAM.demand, g, minute));
  let sharing = false;
  for (const p of gw.wanPortIndexes) if (p !== active && s.up[p] === 1 && org.wanPorts[p]!.kind !== 'lte') sharing = true;
  let wanRx = 0;
  let wanTx = 0;
  for (const p of gw.wanPortIndexes) {
    const port = org.wanPorts[p]!;
    if (s.up[p] === 0) {
      s.rxBps[p] = 0;
      s.txBps[p] = 0;
      s.demandRatio[p] = 0;
      continue;
    }
    let carried: number;
    if (p === active) carried = demandMbps * (sharing ? ACTIVE_SHARE : 1);
    else if (port.kind === 'lte') carried = LTE_IDLE_MBPS;
    else carried = demandMbps * (1 - ACTIVE_SHARE);
    let ratio = carried / port.speedMbps;
    if (incidents.congested(p, at)) ratio = Math.max(ratio, 1.12);
    const util = Math.min(MAX_UTIL, ratio);
    s.demandRatio[p] = ratio;
    s.rxBps[p] = util * port.speedMbps * 1e6;
    // Upload is bounded by the upstream contract (binding on asymmetric lines only: 0.42 × down at most otherwise).
    s.txBps[p] = Math.min(s.rxBps[p]! * UPLOAD_RATIO * (0.8 + 0.4 * unit(ctx.seed, STREAM.upload, p, minute)), MAX_UTIL * port.upMbps * 1e6);
    const q = qualityAt(util, ratio, { lossPct: port.traits.baseLossPct, latencyMs: port.traits.baseLatencyMs, jitterMs: port.traits.baseJitterMs },
      unit(ctx.seed, STREAM.quality, p, minute));
    s.lossPct[p] = q.lossPct;
    s.latencyMs[p] = q.latencyMs;
    s.jitterMs[p] = q.jitterMs;
    wanRx += s.rxBps[p]!;
    wanTx += s.txBps[p]!;
  }
  // LAN side mirrors the WAN: what comes in on the WAN goes out to the store LANs (CORP 70%, POS 30%).
  s.lanTxBps[g * 2] = wanRx * 0.7;
  s.lanRxBps[g * 2] = wanTx * 0.7;
  s.lanTxBps[g * 2 + 1] = wanRx * 0.3;
  s.lanRxBps[g * 2 + 1] = wanTx * 0.3;
  const load = wanRx / 1e6 / Math.max(1, primaryPort.speedMbps);
  const hot = unit(ctx.seed, STREAM.cpu, g) < 0.01;
  s.cpuPct[g] = connected ? Math.min(100, (hot ? 80 : 8) + 25 * load + 10 * unit(ctx.seed, STREAM.cpu, g, minute)) : 0;
  s.memPct[g] = connected ? 38 + 20 * unit(ctx.seed, STREAM.cpu, g) + 2 * unit(ctx.seed, STREAM.cpu, g, minute, 1) : 0;
}

/** Random outages, reboots and flaps decided at the start of a minute; they take effect in stepGateway. */
export function drawRandomFaults(ctx: EngineContext, gw: SimGateway, at: number, minute: number): void {
  const { state: s, org } = ctx;
  const g = gw.index;
  const site = org.sites[gw.siteIndex]!;
  if (site.isHub) return;
  const idle = at >= s.outageUntil[g]! && at >= s.rebootUntil[g]!;
  // ~2% of sites a day lose every circuit for 5–60 minutes.
  if (idle && unit(ctx.seed, STREAM.outage, g, minute) < 0.02 / 1440) {
    s.outageUntil[g] = at + 60 * (5 + Math.floor(unit(ctx.seed, STREAM.outageLength, g, minute) * 56));
  } else if (idle && unit(ctx.seed, STREAM.reboot, g, minute) < 1 / (45 * 1440)) {
    startReboot(ctx, gw, at + 180);
  }
  for (const p of gw.wanPortIndexes) {
    const port = org.wanPorts[p]!;
    if (s.up[p] === 0 || at < s.randomDownUntil[p]!) continue;
    const rate = port.traits.flappy ? (port.role === 'primary' ? 0.012 : 0.004) : 0.00002;
    if (unit(ctx.seed, STREAM.flap, p, minute) < rate) {
      s.randomDownUntil[p] = at + 60 * (1 + Math.floor(unit(ctx.seed, STREAM.flapLength, p, minute) * 3));
    }
  }
}

/** A reboot (random or forced): offline until `until`, counters start again from zero, booted at `until`. */
function startReboot(ctx: EngineContext, gw: SimGateway, until: number): void {
  const { state: s } = ctx;
  const g = gw.index;
  s.rebootUntil[g] = Math.max(s.rebootUntil[g]!, until);
  s.bootTime[g] = until;
  for (const p of gw.wanPortIndexes) {
    s.rxBytes[p] = 0; s.txBytes[p] = 0; s.rxPkts[p] = 0; s.txPkts[p] = 0;
  }
  for (let k = 0; k < 2; k++) {
    s.lanRxBytes[g * 2 + k] = 0; s.lanTxBytes[g * 2 + k] = 0;
  }
}
