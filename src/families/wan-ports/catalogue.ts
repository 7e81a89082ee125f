import type { FamilyCatalogue, WithOrg } from '../../metrics/types.js';
import { wanPortsRecords, type WanPortRecord } from './records.js';

type R = WithOrg<WanPortRecord>;
const SRC = 'GET /api/v1/orgs/{org_id}/stats/ports/search (device_type=gateway, WAN rows)';
const cached = 'Cached by the collector (wan-ports family).';
const id = (r: R): readonly string[] => [r.org_id, r.site_id, r.mac, r.port_id];
const bool = (v: boolean | null): number | null => (v === null ? null : v ? 1 : 0);

/**
 * Gateway WAN ports: one series per (gateway MAC, port) for each numeric metric. The port's names, type, role and
 * contract are in mist_wan_port_info, rendered by the circuits family (one info metric per port).
 */
export const wanPortsCatalogue: FamilyCatalogue<WanPortRecord> = {
  family: 'wan-ports',
  schema: wanPortsRecords.schema,
  groups: [
    {
      labels: ['org_id', 'site_id', 'mac', 'port_id'],
      labelValues: id,
      metrics: [
        { name: 'mist_wan_port_up', type: 'gauge', unit: 'boolean', value: (r) => bool(r.up),
          help: `1 when the WAN port is up (${SRC} field up). ${cached}` },
        { name: 'mist_wan_port_disabled', type: 'gauge', unit: 'boolean', value: (r) => bool(r.disabled),
          help: `1 when the WAN port is administratively disabled (field disabled). ${cached}` },
        { name: 'mist_wan_port_receive_bytes_total', type: 'counter', unit: 'bytes', value: (r) => r.rx_bytes,
          help: `Bytes received on the WAN port since the gateway booted (${SRC} field rx_bytes; resets at reboot). ${cached}` },
        { name: 'mist_wan_port_transmit_bytes_total', type: 'counter', unit: 'bytes', value: (r) => r.tx_bytes,
          help: `Bytes transmitted on the WAN port since the gateway booted (field tx_bytes; resets at reboot). ${cached}` },
        { name: 'mist_wan_port_receive_packets_total', type: 'counter', unit: 'count', value: (r) => r.rx_packets,
          help: `Packets received on the WAN port since the gateway booted (field rx_pkts). ${cached}` },
        { name: 'mist_wan_port_transmit_packets_total', type: 'counter', unit: 'count', value: (r) => r.tx_packets,
          help: `Packets transmitted on the WAN port since the gateway booted (field tx_pkts). ${cached}` },
        { name: 'mist_wan_port_speed_bytes_per_second', type: 'gauge', unit: 'bytes_per_second', value: (r) => r.speed_bytes_per_second,
          help: `Link speed of the WAN port (field speed, Mbps, converted to bytes/s): the physical rate, not the contracted one (mist_wan_port_receive_bandwidth_bytes_per_second and mist_wan_port_transmit_bandwidth_bytes_per_second). ${cached}` },
        { name: 'mist_wan_port_last_flapped_timestamp_seconds', type: 'gauge', unit: 'timestamp', value: (r) => r.last_flapped_seconds,
          help: `When the WAN port last changed state, Unix time (field last_flapped). ${cached}` },
        { name: 'mist_wan_port_latency_seconds', type: 'gauge', unit: 'seconds', value: (r) => r.latency_seconds,
          help: `Last sampled latency of the WAN port (field latency, ms, converted to seconds); absent when not reported. ${cached}` },
        { name: 'mist_wan_port_jitter_seconds', type: 'gauge', unit: 'seconds', value: (r) => r.jitter_seconds,
          help: `Last sampled jitter of the WAN port (field jitter, ms, converted to seconds); absent when not reported. ${cached}` },
        { name: 'mist_wan_port_loss_ratio', type: 'gauge', unit: 'ratio', value: (r) => r.loss_ratio,
          help: `Last sampled packet loss of the WAN port, 0-1 (field loss, percent, converted); absent when not reported. ${cached}` },
      ],
    },
  ],
};
