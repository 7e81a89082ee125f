import { z } from 'zod';
import { defineRecords } from '../define-records.js';
import { num } from '../record-fields.js';

/**
 * events family (devices/events/search?device_type=gateway): its own state plus what is rendered. `cursor`:
 * where the next walk starts (the server's `end` of the last one, less an overlap) and the dedupe keys of the
 * events inside that overlap; `port`: a gateway port with the time of its latest GW_PORT_DOWN/UP event.
 */
export const EventsCursorRecordSchema = z.object({
  kind: z.literal('cursor'),
  /** The server's `end` of the last walk (Unix seconds). */
  until_seconds: z.number(),
  /** Keys (timestamp|mac|type|port_id|text) of the events at or after until − overlap: seen, not to count again. */
  seen: z.array(z.string()),
});
export const PortFlapRecordSchema = z.object({
  kind: z.literal('port'),
  site_id: z.string(),
  mac: z.string(),
  port_id: z.string(),
  /** Timestamp of the latest GW_PORT_DOWN/UP event (Unix seconds); null: none seen (a WAN port known from wan-ports). */
  last_flap_seconds: num,
  /**
   * The port's GW_PORT_DOWN/UP events of the last PORT_TRANSITIONS_SECONDS as [timestamp, up], oldest first: what
   * the circuits family replays to see a failover and fail-back between two of its cycles. Absent in old records.
   */
  transitions: z.array(z.tuple([z.number(), z.boolean()])).optional(),
});
export const EventsRecordSchema = z.discriminatedUnion('kind', [EventsCursorRecordSchema, PortFlapRecordSchema]);

export type EventsCursorRecord = z.infer<typeof EventsCursorRecordSchema>;
export type PortFlapRecord = z.infer<typeof PortFlapRecordSchema>;
export type EventsRecord = z.infer<typeof EventsRecordSchema>;

/** The events family's stored records: what its snapshot holds, for every reader (collector joins, exporter). */
export const eventsRecords = defineRecords<EventsRecord>('events', EventsRecordSchema);
