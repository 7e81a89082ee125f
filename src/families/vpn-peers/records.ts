import { z } from 'zod';
import { defineRecords } from '../define-records.js';
import { num, str } from '../record-fields.js';

/** One VPN peer path (stats/vpn_peers/search), identified by gateway, port, peer gateway, peer port and path type. */
export const VpnPathRecordSchema = z.object({
  site_id: str,
  /** The gateway (spoke) reporting the path. */
  mac: z.string(),
  /**
   * The local port's id (ge-0/0/0), as wan-ports and circuits name it: Mist reports a port id on SRX (ipsec) rows
   * but the WAN interface name on SSR (svr) rows, so it is resolved through the gateway's wan_interfaces (gateways
   * snapshot). A row that cannot be resolved keeps what Mist reported.
   */
  port_id: z.string(),
  /** The local port's WAN interface name (wan1): Mist's value on svr rows, from wan_interfaces on ipsec rows; null when unknown. */
  wan_name: str,
  peer_mac: z.string(),
  /** The peer gateway's port id, resolved like port_id through the peer gateway's wan_interfaces when it is known. */
  peer_port_id: z.string(),
  /** The peer port's WAN interface name, like wan_name. */
  peer_wan_name: str,
  /** Mist's `type`: ipsec (SRX) or svr (SSR); 'unknown' when absent. */
  path_type: z.string(),
  peer_site_id: str,
  router_name: str,
  peer_router_name: str,
  up: z.boolean().nullable(),
  /** The path is the active one of its redundancy group (carrying traffic). */
  is_active: z.boolean().nullable(),
  loss_ratio: num,
  latency_seconds: num,
  jitter_seconds: num,
  /** Mean opinion score as Mist reports it (a unit-less score up to 5). */
  mos: num,
  mtu_bytes: num,
  /** When the path came up (last_seen − uptime, or uptime itself when Mist reports an epoch there). */
  up_since_seconds: num,
  /**
   * Whether port_id / peer_port_id were found among the (peer) gateway's wan_interfaces (false: Mist's value
   * kept). Absent on records written before these fields existed.
   */
  port_resolved: z.boolean().optional(),
  peer_port_resolved: z.boolean().optional(),
});

export type VpnPathRecord = z.infer<typeof VpnPathRecordSchema>;

/** The vpn-peers family's stored records: what its snapshot holds, for every reader (collector joins, exporter). */
export const vpnPeersRecords = defineRecords<VpnPathRecord>('vpn-peers', VpnPathRecordSchema);
