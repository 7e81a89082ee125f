import { z } from 'zod';
import { defineRecords } from '../define-records.js';
import { num, str } from '../record-fields.js';

/**
 * alarms family (alarms/search): its own state, carried from cycle to cycle in its snapshot, plus what is
 * rendered. `cursor`: the server's now at the end of the last walk; `alarm`: a known alarm (open, or resolved
 * within the retention), deduplicated by id; `active`: open alarms counted per (site, type, severity, group),
 * derived from the `alarm` records (0 while only resolved ones are retained).
 */
export const AlarmsCursorRecordSchema = z.object({
  kind: z.literal('cursor'),
  /** The server's `end` of the last walk (Unix seconds). */
  until_seconds: z.number(),
});
export const AlarmRecordSchema = z.object({
  kind: z.literal('alarm'),
  id: z.string(),
  site_id: str,
  type: z.string(),
  group: z.string(),
  severity: z.string(),
  /** Mist's status is `open` (or absent without a resolved_time). */
  open: z.boolean(),
  /** Incidents within the alarm's window. */
  count: num,
  timestamp_seconds: z.number(),
  last_seen_seconds: z.number(),
  resolved_seconds: num,
});
export const AlarmsActiveRecordSchema = z.object({
  kind: z.literal('active'),
  site_id: str,
  type: z.string(),
  severity: z.string(),
  group: z.string(),
  active: z.number().int().min(0),
});
export const AlarmsRecordSchema = z.discriminatedUnion('kind', [AlarmsCursorRecordSchema, AlarmRecordSchema, AlarmsActiveRecordSchema]);

export type AlarmRecord = z.infer<typeof AlarmRecordSchema>;
export type AlarmsActiveRecord = z.infer<typeof AlarmsActiveRecordSchema>;
export type AlarmsCursorRecord = z.infer<typeof AlarmsCursorRecordSchema>;
export type AlarmsRecord = z.infer<typeof AlarmsRecordSchema>;

/** The alarms family's stored records: what its snapshot holds, for every reader (collector joins, exporter). */
export const alarmsRecords = defineRecords<AlarmsRecord>('alarms', AlarmsRecordSchema);
