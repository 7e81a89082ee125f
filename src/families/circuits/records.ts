import { z } from 'zod';
import { defineRecords } from '../define-records.js';
import { num, str } from '../record-fields.js';

/**
 * Where a circuit's contracted bandwidth comes from: both directions from the circuit inventory, both from the
 * port's link speed, or one from each (the inventory gives only one direction).
 */
export const BANDWIDTH_SOURCES = ['inventory', 'port_speed', 'mixed'] as const;

/**
 * A gateway WAN port as a circuit: its role, whether it is the gateway's active circuit, and its contract
 * (bandwidth per direction, provider, circuit id) from the circuit inventory where it has the port.
 */
export const CircuitRecordSchema = z.object({
  kind: z.literal('circuit'),
  site_id: z.string(),
  mac: z.string(),
  port_id: z.string(),
  wan_name: z.string(),
  wan_type: z.string(),
  /** From the circuit inventory, else CIRCUIT_ROLES (by wan_name or port_id), else the positional default. */
  role: z.string(),
  active: z.boolean(),
  /** Contracted bandwidth per direction (receive = the line's downstream), bytes per second; null when unknown. */
  receive_bandwidth_bytes_per_second: num,
  transmit_bandwidth_bytes_per_second: num,
  bandwidth_source: z.enum(BANDWIDTH_SOURCES),
  provider: str,
  circuit_id: str,
});

/** The circuit inventory as the last cycle applied it (only while CIRCUIT_INVENTORY_FILE is set and read). */
export const CircuitInventoryRecordSchema = z.object({
  kind: z.literal('inventory'),
  /** Entries in the file that apply to the org (no `org`, or the org's id). */
  entries: z.number().int().min(0),
  /** When the file was (re-)read, Unix seconds. */
  loaded_seconds: z.number(),
  /** The file loader's health (absent when the source reports none): last read accepted, reads rejected since start, problems of the last rejected read. */
  load_ok: z.boolean().optional(),
  load_failures: z.number().int().min(0).optional(),
  load_problems: z.number().int().min(0).optional(),
});

/** An inventory entry that names a site or port the org does not have: reported, never silently ignored. */
export const CircuitUnmatchedRecordSchema = z.object({
  kind: z.literal('unmatched'),
  /** The site and port as written in the file. */
  site: z.string(),
  port: z.string(),
  line: z.number().int(),
  reason: z.string(),
});

/** A gateway's active circuit: rendered, and the previous state the next cycle compares with (failovers). */
export const CircuitGatewayRecordSchema = z.object({
  kind: z.literal('gateway'),
  site_id: z.string(),
  mac: z.string(),
  /** null: no circuit is active (every port down, or the gateway disconnected). */
  active_port_id: str,
  active_role: str,
  /** How the active circuit was found: 'vpn' (it carries the active VPN paths) or 'ports' (the first up circuit by role). */
  active_source: z.enum(['vpn', 'ports']).nullable(),
});

export const CircuitsRecordSchema = z.discriminatedUnion('kind', [CircuitRecordSchema, CircuitGatewayRecordSchema, CircuitInventoryRecordSchema, CircuitUnmatchedRecordSchema]);

export type CircuitRecord = z.infer<typeof CircuitRecordSchema>;
export type CircuitGatewayRecord = z.infer<typeof CircuitGatewayRecordSchema>;
export type CircuitInventoryRecord = z.infer<typeof CircuitInventoryRecordSchema>;
export type CircuitUnmatchedRecord = z.infer<typeof CircuitUnmatchedRecordSchema>;
export type BandwidthSource = (typeof BANDWIDTH_SOURCES)[number];
export type CircuitsRecord = z.infer<typeof CircuitsRecordSchema>;

/** The circuits family's stored records: what its snapshot holds, for every reader (collector joins, exporter). */
export const circuitsRecords = defineRecords<CircuitsRecord>('circuits', CircuitsRecordSchema);
