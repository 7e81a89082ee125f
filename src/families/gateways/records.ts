import { z } from 'zod';
import { defineRecords } from '../define-records.js';
import { num, str } from '../record-fields.js';

export const GatewayWanInterfaceSchema = z.object({
  port_id: z.string(),
  wan_name: z.string(),
  wan_type: z.string(),
});

export const GatewayRecordSchema = z.object({
  mac: z.string(),
  id: str,
  site_id: str,
  name: z.string(),
  model: z.string(),
  version: z.string(),
  serial: z.string(),
  status: z.string(),
  /** From inventory: connected to the cloud; null when the gateway has no inventory row. */
  connected: z.boolean().nullable(),
  uptime_seconds: num,
  /** last_seen − uptime: stable across polls, unlike uptime. */
  boot_time_seconds: num,
  last_seen_seconds: num,
  cpu_ratio: num,
  memory_ratio: num,
  is_ha: z.boolean(),
  /** WAN interfaces from if_stat/if2_stat: the only source of wan_name and wan_type. */
  wan_interfaces: z.array(GatewayWanInterfaceSchema),
});

export type GatewayWanInterface = z.infer<typeof GatewayWanInterfaceSchema>;
export type GatewayRecord = z.infer<typeof GatewayRecordSchema>;

/** The gateways family's stored records: what its snapshot holds, for every reader (collector joins, exporter). */
export const gatewaysRecords = defineRecords<GatewayRecord>('gateways', GatewayRecordSchema);
