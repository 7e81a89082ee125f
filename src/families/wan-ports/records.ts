import { z } from 'zod';
import { defineRecords } from '../define-records.js';
import { num } from '../record-fields.js';

export const WanPortRecordSchema = z.object({
  site_id: z.string(),
  /** Gateway MAC. */
  mac: z.string(),
  port_id: z.string(),
  /** From the gateway's if_stat; port_id when the gateway snapshot does not know the port. */
  wan_name: z.string(),
  wan_type: z.string(),
  up: z.boolean().nullable(),
  disabled: z.boolean().nullable(),
  /** Link speed (Mist reports Mbps) in bytes per second. */
  speed_bytes_per_second: num,
  rx_bytes: num,
  tx_bytes: num,
  rx_packets: num,
  tx_packets: num,
  last_flapped_seconds: num,
  jitter_seconds: num,
  latency_seconds: num,
  loss_ratio: num,
});

export type WanPortRecord = z.infer<typeof WanPortRecordSchema>;

/** The wan-ports family's stored records: what its snapshot holds, for every reader (collector joins, exporter). */
export const wanPortsRecords = defineRecords<WanPortRecord>('wan-ports', WanPortRecordSchema);
