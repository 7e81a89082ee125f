import type { SimEngine } from '../engine/engine.js';
import type { SimSite } from '../model/types.js';

/** Ground truth for tests: the real state behind what the API serves, and per-minute history per circuit. */

const r = (v: number): number => Math.round(v * 1e6) / 1e6;

export interface TruthOptions {
  /** Include per-minute history for this many past minutes (0: none). */
  historyMinutes: number;
  /** Include each circuit's VPN paths. */
  paths: boolean;
}

export function siteTruth(engine: SimEngine, site: SimSite, opts: TruthOptions): Record<string, unknown> {
  const { org, state: s, incidents } = engine.ctx;
  const now = engine.now;
  const gw = org.gateways[site.gatewayIndex]!;
  const g = gw.index;
  const minuteNow = Math.floor(now / 60);
  const circuits = gw.wanPortIndexes.map((p) => {
    const port = org.wanPorts[p]!;
    const c = engine.counters(p);
    const paths = engine.ctx.pathsByPort[p]!;
    return {
      port_id: port.portId,
      wan_name: port.wanName,
      wan_type: port.wanType,
      kind: port.kind,
      role: port.role,
      // What the port reports as its speed; the contract (what the inventory file says) may be below it.
      speed_mbps: port.linkSpeedMbps,
      contract_down_mbps: port.speedMbps,
      contract_up_mbps: port.upMbps,
      provider: port.isp,
      circuit_id: port.circuitId,
      up: s.up[p] === 1,
      active: s.activePort[g] === p,
      rx_bps: r(s.rxBps[p]!),
      tx_bps: r(s.txBps[p]!),
      // Relative to the contract, per direction.
      utilization: r(s.rxBps[p]! / (port.speedMbps * 1e6)),
      tx_utilization: r(s.txBps[p]! / (port.upMbps * 1e6)),
      demand_ratio: r(s.demandRatio[p]!),
      loss_pct: r(s.lossPct[p]!),
      latency_ms: r(s.latencyMs[p]!),
      jitter_ms: r(s.jitterMs[p]!),
      rx_bytes: c.rxBytes,
      tx_bytes: c.txBytes,
      transitions: s.transitions[p]!,
      last_flapped: s.lastFlapped[p]!,
      congested_trait: port.traits.congested,
      flappy_trait: port.traits.flappy,
      paths_up: paths.filter((v) => s.pathUp[v] === 1).length,
      paths_total: paths.length,
      ...(opts.paths ? {
        paths: paths.map((v) => ({
          peer_mac: org.gateways[org.wanPorts[org.peerPaths[v]!.hubPortIndex]!.gatewayIndex]!.mac,
          peer_port_id: org.wanPorts[org.peerPaths[v]!.hubPortIndex]!.portId,
          // svr rows in vpn_peers/search name the hub port by its WAN name.
          peer_wan_name: org.wanPorts[org.peerPaths[v]!.hubPortIndex]!.wanName,
          type: org.peerPaths[v]!.pathType,
          up: s.pathUp[v] === 1,
          active: s.pathActive[v] === 1,
          loss_pct: r(s.pathLossPct[v]!), latency_ms: r(s.pathLatencyMs[v]!), jitter_ms: r(s.pathJitterMs[v]!), mos: r(s.pathMos[v]!),
          transitions: s.pathTransitions[v]!,
        })),
      } : {}),
      ...(opts.historyMinutes > 0 ? { history: engine.ctx.history.read(p, minuteNow - opts.historyMinutes, minuteNow) } : {}),
    };
  });
  return {
    site_id: site.id,
    name: site.name,
    region: site.region || 'unknown',
    is_hub: site.isHub,
    outage: incidents.siteOutage(site.index, now) || now < s.outageUntil[g]!,
    gateway: {
      id: gw.id, mac: gw.mac, model: gw.model, connected: s.connected[g] === 1, boot_time: s.bootTime[g]!,
      failovers: s.failovers[g]!, active_port: s.activePort[g]! >= 0 ? org.wanPorts[s.activePort[g]!]!.portId : null,
      cpu_pct: r(s.cpuPct[g]!), mem_pct: r(s.memPct[g]!),
    },
    circuits,
  };
}
