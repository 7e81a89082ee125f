import type { FamilyCatalogue, WithOrg } from '../../metrics/types.js';
import { gatewaysRecords, type GatewayRecord } from './records.js';

type R = WithOrg<GatewayRecord>;
const SRC = 'GET /api/v1/orgs/{org_id}/stats/devices?type=gateway';
const cached = 'Cached by the collector (gateways family).';

/** Gateways: identity by MAC; mutable names, model and version only in mist_gateway_info. */
export const gatewaysCatalogue: FamilyCatalogue<GatewayRecord> = {
  family: 'gateways',
  schema: gatewaysRecords.schema,
  groups: [
    {
      labels: ['org_id', 'site_id', 'mac', 'gateway_id', 'gateway_name', 'model', 'version', 'serial', 'ha'],
      labelValues: (r: R) => [r.org_id, r.site_id ?? '', r.mac, r.id ?? '', r.name, r.model, r.version, r.serial, r.is_ha ? 'true' : 'false'],
      metrics: [
        { name: 'mist_gateway_info', type: 'gauge', unit: 'info', value: () => 1,
          help: `Gateway metadata, value 1: name, model, firmware version, serial, HA (${SRC}). ${cached}` },
      ],
    },
    {
      labels: ['org_id', 'site_id', 'mac'],
      labelValues: (r: R) => [r.org_id, r.site_id ?? '', r.mac],
      metrics: [
        { name: 'mist_gateway_up', type: 'gauge', unit: 'boolean', value: (r) => (r.status === 'unknown' ? null : r.status === 'connected' ? 1 : 0),
          help: `1 when the gateway is connected to the Mist cloud (${SRC} field status). ${cached}` },
        { name: 'mist_gateway_cpu_usage_ratio', type: 'gauge', unit: 'ratio', value: (r) => r.cpu_ratio,
          help: `Gateway CPU utilisation, 0-1 (field cpu_stat.usage, or 100 - idle, percent, converted). ${cached}` },
        { name: 'mist_gateway_memory_usage_ratio', type: 'gauge', unit: 'ratio', value: (r) => r.memory_ratio,
          help: `Gateway memory utilisation, 0-1 (field memory_stat.usage, percent, converted). ${cached}` },
        { name: 'mist_gateway_boot_timestamp_seconds', type: 'gauge', unit: 'timestamp', value: (r) => r.boot_time_seconds,
          help: `When the gateway last booted, Unix time (fields last_seen - uptime). ${cached}` },
        { name: 'mist_gateway_last_seen_timestamp_seconds', type: 'gauge', unit: 'timestamp', value: (r) => r.last_seen_seconds,
          help: `When the Mist cloud last heard from the gateway, Unix time (field last_seen). ${cached}` },
      ],
    },
  ],
};
