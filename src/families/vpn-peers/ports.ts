import type { GatewayRecord, GatewayWanInterface } from '../gateways/records.js';
import type { VpnPathRecord } from './records.js';

/**
 * VPN path ports as port ids. stats/vpn_peers/search names a path's ports by port id on SRX (ipsec) rows and by
 * WAN interface name on SSR (svr) rows; wan-ports and circuits name them by port id. A gateway's wan_interfaces
 * (gateways snapshot, from if_stat) hold both, so each reported value is looked up there: as a port id first,
 * then as a WAN name (exact match). The local port uses the reporting gateway (mac), the peer port the peer
 * gateway (peer_mac) when this org's gateways snapshot has it.
 */

/** Gateway MAC → its WAN interfaces. */
export type PortsByMac = ReadonlyMap<string, readonly GatewayWanInterface[]>;

export function wanInterfacesByMac(gateways: readonly Pick<GatewayRecord, 'mac' | 'wan_interfaces'>[]): PortsByMac {
  return new Map(gateways.map((g) => [g.mac, g.wan_interfaces]));
}

/** A reported port as port id and WAN name; null when the gateway or the port is unknown. Pure. */
export function resolvePort(ports: PortsByMac, mac: string, reported: string): { port_id: string; wan_name: string } | null {
  const interfaces = ports.get(mac);
  if (!interfaces) return null;
  const byId = interfaces.find((w) => w.port_id === reported);
  if (byId) return { port_id: byId.port_id, wan_name: byId.wan_name };
  const byName = interfaces.find((w) => w.wan_name === reported);
  return byName ? { port_id: byName.port_id, wan_name: byName.wan_name } : null;
}

export interface ResolvedPath {
  readonly record: VpnPathRecord;
  readonly portResolved: boolean;
  readonly peerResolved: boolean;
}

/**
 * The path with port_id and peer_port_id as port ids and the WAN names beside them. A port that cannot be
 * resolved keeps Mist's value; its WAN name is then Mist's value on svr rows (which report names) and null
 * otherwise. Pure.
 */
export function resolvePath(record: VpnPathRecord, ports: PortsByMac): ResolvedPath {
  const svr = record.path_type === 'svr';
  const local = resolvePort(ports, record.mac, record.port_id);
  const peer = resolvePort(ports, record.peer_mac, record.peer_port_id);
  return {
    record: {
      ...record,
      port_id: local?.port_id ?? record.port_id,
      wan_name: local?.wan_name ?? (svr ? record.port_id : null),
      peer_port_id: peer?.port_id ?? record.peer_port_id,
      peer_wan_name: peer?.wan_name ?? (svr ? record.peer_port_id : null),
      port_resolved: local !== null,
      peer_port_resolved: peer !== null,
    },
    portResolved: local !== null,
    peerResolved: peer !== null,
  };
}

/** Unresolved ports of a cycle: local ports, peer ports, and paths with either. */
export interface Unresolved {
  port: number;
  peerPort: number;
  paths: number;
}

export function countUnresolved(into: Unresolved, r: ResolvedPath): void {
  if (!r.portResolved) into.port += 1;
  if (!r.peerResolved) into.peerPort += 1;
  if (!r.portResolved || !r.peerResolved) into.paths += 1;
}
