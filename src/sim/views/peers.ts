import type { SimEngine } from '../engine/engine.js';
import type { SimPeerPath } from '../model/types.js';

const r3 = (v: number): number => Math.round(v * 1000) / 1000;

/**
 * `stats/vpn_peers/search` rows, reported by the spoke. SRX (ipsec) rows name ports by port_id; SSR (svr)
 * rows name them by the WAN interface name, as live SSR rows do (e.g. "Lte", "DC_Internet").
 */
export function peerPathRow(engine: SimEngine, path: SimPeerPath, now: number): Record<string, unknown> {
  const { org, state: s } = engine.ctx;
  const spoke = org.wanPorts[path.wanPortIndex]!;
  const hub = org.wanPorts[path.hubPortIndex]!;
  const gw = org.gateways[spoke.gatewayIndex]!;
  const hubGw = org.gateways[hub.gatewayIndex]!;
  const v = path.index;
  const up = s.pathUp[v] === 1;
  const svr = path.pathType === 'svr';
  const row: Record<string, unknown> = {
    org_id: org.id,
    site_id: org.sites[spoke.siteIndex]!.id,
    mac: gw.mac,
    router_name: gw.name,
    port_id: svr ? spoke.wanName : spoke.portId,
    peer_mac: hubGw.mac,
    peer_router_name: hubGw.name,
    peer_port_id: svr ? hub.wanName : hub.portId,
    peer_site_id: org.sites[hub.siteIndex]!.id,
    type: path.pathType,
    up,
    is_active: s.pathActive[v] === 1,
    uptime: up ? Math.max(0, Math.floor(now - s.pathUpSince[v]!)) : 0,
    last_seen: s.connected[gw.index] === 1 ? r3(now) : r3(s.lastSeen[gw.index]!),
  };
  if (up) {
    row.latency = r3(s.pathLatencyMs[v]!);
    row.jitter = r3(s.pathJitterMs[v]!);
    row.loss = r3(s.pathLossPct[v]!);
    row.mos = r3(s.pathMos[v]!);
    row.mtu = svr ? 1500 : 1400;
  }
  return row;
}
