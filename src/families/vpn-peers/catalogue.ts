import type { FamilyCatalogue, WithOrg } from '../../metrics/types.js';
import { vpnPeersRecords, type VpnPathRecord } from './records.js';

type R = WithOrg<VpnPathRecord>;
const SRC = 'GET /api/v1/orgs/{org_id}/stats/vpn_peers/search';
const cached = 'Cached by the collector (vpn-peers family).';
/** A path's identity: the reporting gateway and its port, the peer gateway and its port, and the path type. */
const id = (r: R): readonly string[] => [r.org_id, r.site_id ?? '', r.mac, r.port_id, r.peer_mac, r.peer_port_id, r.path_type];
const ID_LABELS = ['org_id', 'site_id', 'mac', 'port_id', 'peer_mac', 'peer_port_id', 'path_type'] as const;
const bool = (v: boolean | null): number | null => (v === null ? null : v ? 1 : 0);

/**
 * VPN peer paths, one series per path for each numeric metric. port_id and peer_port_id are port ids on every
 * path (SSR svr rows report WAN interface names; the collector resolves them through the gateways' if_stat), so
 * a path joins onto its WAN port by (org_id, site_id, mac, port_id); the WAN names are in mist_vpn_path_info.
 */
export const vpnPeersCatalogue: FamilyCatalogue<VpnPathRecord> = {
  family: 'vpn-peers',
  schema: vpnPeersRecords.schema,
  groups: [
    {
      labels: [...ID_LABELS, 'wan_name', 'peer_wan_name', 'router_name', 'peer_router_name', 'peer_site_id'],
      labelValues: (r) => [...id(r), r.wan_name ?? '', r.peer_wan_name ?? '', r.router_name ?? '', r.peer_router_name ?? '', r.peer_site_id ?? ''],
      metrics: [
        { name: 'mist_vpn_path_info', type: 'gauge', unit: 'info', value: () => 1,
          help: `VPN peer path metadata, value 1: the WAN interface names of its ports, router names and the peer's site (${SRC} fields router_name, peer_router_name, peer_site_id; port_id and peer_port_id, which svr rows report as WAN names, are resolved to port ids through stats/devices if_stat of the gateway and of the peer gateway, and the names go in wan_name and peer_wan_name; a port that cannot be resolved keeps Mist's value, is logged with a count, and its name is Mist's value on svr rows, empty on ipsec rows). ${cached}` },
      ],
    },
    {
      labels: ID_LABELS,
      labelValues: id,
      metrics: [
        { name: 'mist_vpn_path_up', type: 'gauge', unit: 'boolean', value: (r) => bool(r.up),
          help: `1 when the VPN peer path is up (${SRC} field up). ${cached}` },
        { name: 'mist_vpn_path_active', type: 'gauge', unit: 'boolean', value: (r) => bool(r.is_active),
          help: `1 when the path is the active path of its redundancy group, i.e. carries the traffic (field is_active). ${cached}` },
        { name: 'mist_vpn_path_loss_ratio', type: 'gauge', unit: 'ratio', value: (r) => r.loss_ratio,
          help: `Last sampled packet loss on the path, 0-1 (field loss, percent, converted); absent when not reported (e.g. path down). ${cached}` },
        { name: 'mist_vpn_path_latency_seconds', type: 'gauge', unit: 'seconds', value: (r) => r.latency_seconds,
          help: `Last sampled latency of the path (field latency, ms, converted to seconds); absent when not reported. ${cached}` },
        { name: 'mist_vpn_path_jitter_seconds', type: 'gauge', unit: 'seconds', value: (r) => r.jitter_seconds,
          help: `Last sampled jitter of the path (field jitter, ms, converted to seconds); absent when not reported. ${cached}` },
        { name: 'mist_vpn_path_mos', type: 'gauge', unit: 'score', value: (r) => r.mos,
          help: `Mean opinion score of the path as Mist estimates it: a unit-less score from 0 to 5, higher is better (field mos); absent when not reported. ${cached}` },
        { name: 'mist_vpn_path_mtu_bytes', type: 'gauge', unit: 'bytes', value: (r) => r.mtu_bytes,
          help: `MTU of the path (field mtu). ${cached}` },
        { name: 'mist_vpn_path_port_unresolved', type: 'gauge', unit: 'boolean', value: (r) => (r.port_resolved === false ? 1 : null),
          help: `1 when the path's port (${SRC} field port_id: a port id on ipsec rows, a WAN interface name on svr rows) is not among the reporting gateway's WAN interfaces (stats/devices if_stat, gateways snapshot), so port_id keeps Mist's value and may not join onto mist_wan_port_*; absent when it was resolved. count by (org_id) (mist_vpn_path_port_unresolved) is the number of such paths. ${cached}` },
        { name: 'mist_vpn_path_peer_port_unresolved', type: 'gauge', unit: 'boolean', value: (r) => (r.peer_port_resolved === false ? 1 : null),
          help: `1 when the path's peer port (field peer_port_id) is not among the peer gateway's WAN interfaces (the peer gateway is not in this org's gateways snapshot, or has no such port), so peer_port_id keeps Mist's value; absent when it was resolved. ${cached}` },
        { name: 'mist_vpn_path_up_since_timestamp_seconds', type: 'gauge', unit: 'timestamp', value: (r) => r.up_since_seconds,
          help: `When the path last came up, Unix time: field last_seen minus field uptime (an uptime that is already an epoch is used as is); time() minus this is the path's uptime. Absent while down. ${cached}` },
      ],
    },
  ],
};
