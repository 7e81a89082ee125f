import { z } from 'zod';
import { id, optId, optNumber, optString, stringList } from './common.js';

/** GET /orgs/{org_id}/alarms/search rows (alarm, §2.11). Consumed fields only. */
export const AlarmSchema = z.object({
  id,
  site_id: optId,
  type: z.string().min(1),
  group: z.string().min(1),
  severity: z.string().min(1),
  count: optNumber,
  timestamp: z.number(),
  last_seen: optNumber,
  status: optString,
  resolved_time: optNumber,
  acked: z.boolean().nullish().transform((v) => v ?? undefined),
  gateways: stringList,
});

/** GET /orgs/{org_id}/devices/events/search rows (device_event, §2.15). No device_id on events: match on mac. */
export const DeviceEventSchema = z.object({
  type: z.string().min(1),
  timestamp: z.number(),
  site_id: optId,
  mac: optString,
  device_type: optString,
  port_id: optString,
  text: optString,
});

export type MistAlarm = z.output<typeof AlarmSchema>;
export type MistDeviceEvent = z.output<typeof DeviceEventSchema>;
