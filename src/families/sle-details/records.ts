import { z } from 'zod';
import { defineRecords } from '../define-records.js';
import { num } from '../record-fields.js';

/**
 * sle-details family: details of degraded (site, SLE) pairs. A `details` record per pair that has details (when
 * they were fetched, how many cycles they have been carried forward since); `classifier`, `interface` and
 * `gateway` records hold degraded shares (degraded / total over the window); `threshold` Mist's SLE threshold
 * in Mist's units; a `cycle` record (threshold, calls, budget) and three `state` records summarise the cycle.
 */
const sleKey = { site_id: z.string(), sle: z.string() };
const share = z.number().min(0).max(1);
export const SleDetailsPairRecordSchema = z.object({
  kind: z.literal('details'), ...sleKey,
  /** The score that made the pair degraded when its details were fetched. */
  score_ratio: z.number().min(0).max(1),
  /** End of the summary-trend window the details cover (Mist's `end`, Unix seconds). */
  window_end_seconds: z.number(),
  /** 0: fetched this cycle; n: carried forward from n cycles ago (still degraded, not reached within the budget). */
  carried_cycles: z.number().int().min(0),
});
export const SleClassifierRecordSchema = z.object({ kind: z.literal('classifier'), ...sleKey, classifier: z.string(), degraded_ratio: share });
export const SleInterfaceRecordSchema = z.object({ kind: z.literal('interface'), ...sleKey, mac: z.string(),
  /** Mist's interface_name as the port id (resolved through the gateway's wan_interfaces like VPN path ports; kept as is when not found). */
  port_id: z.string(), degraded_ratio: share });
export const SleGatewayRecordSchema = z.object({ kind: z.literal('gateway'), ...sleKey, mac: z.string(), degraded_ratio: share });
export const SleThresholdRecordSchema = z.object({
  kind: z.literal('threshold'), ...sleKey,
  /** Mist's threshold in Mist's units (%, ms, …: see units); null when Mist gives none. */
  threshold: num,
  units: z.string(),
  direction: z.string(),
  /** Cycles since it was fetched (refetched after a day's worth of cycles). */
  age_cycles: z.number().int().min(0),
});
export const SleDetailsCycleRecordSchema = z.object({
  kind: z.literal('cycle'),
  /** SLE_DEGRADED_THRESHOLD: scores below it are degraded. */
  threshold_ratio: z.number(),
  /** Calls this cycle made, and the calls it was allowed (null: unbounded, outside a plan). */
  calls: z.number().int().min(0),
  call_budget: z.number().int().min(0).nullable(),
});
/** Degraded (site, SLE) pairs of the sle snapshot by state: details polled this cycle, carried forward, or none. */
export const SLE_DETAILS_STATES = ['polled', 'carried', 'missing'] as const;
export const SleDetailsStateRecordSchema = z.object({ kind: z.literal('state'), state: z.enum(SLE_DETAILS_STATES), pairs: z.number().int().min(0) });
export const SleDetailsRecordSchema = z.discriminatedUnion('kind', [
  SleDetailsPairRecordSchema, SleClassifierRecordSchema, SleInterfaceRecordSchema, SleGatewayRecordSchema, SleThresholdRecordSchema,
  SleDetailsCycleRecordSchema, SleDetailsStateRecordSchema,
]);

export type SleDetailsRecord = z.infer<typeof SleDetailsRecordSchema>;
export type SleDetailsPairRecord = z.infer<typeof SleDetailsPairRecordSchema>;
export type SleThresholdRecord = z.infer<typeof SleThresholdRecordSchema>;
export type SleDetailsCycleRecord = z.infer<typeof SleDetailsCycleRecordSchema>;

/** The sle-details family's stored records: what its snapshot holds, for every reader (collector joins, exporter). */
export const sleDetailsRecords = defineRecords<SleDetailsRecord>('sle-details', SleDetailsRecordSchema);
