import { z } from 'zod';
import { defineRecords } from '../define-records.js';
import { num } from '../record-fields.js';

/**
 * sle family (insights/sites-sle?sle=wan and worst-sites-by-sle): one record per (site, SLE) score, one per site
 * for its counts, one per (SLE, worst site). `sle` is Mist's metric name (gateway-health, wan-link-health,
 * application-health).
 */
export const SleScoreRecordSchema = z.object({ kind: z.literal('score'), site_id: z.string(), sle: z.string(), ratio: z.number().min(0).max(1) });
export const SleSiteRecordSchema = z.object({ kind: z.literal('site'), site_id: z.string(), gateways: num, clients: num });
/** Rank 1 = worst: the row's position in Mist's worst-sites-by-sle answer. */
export const SleWorstRecordSchema = z.object({ kind: z.literal('worst'), site_id: z.string(), sle: z.string(), rank: z.number().int().positive() });
export const SleRecordSchema = z.discriminatedUnion('kind', [SleScoreRecordSchema, SleSiteRecordSchema, SleWorstRecordSchema]);

export type SleRecord = z.infer<typeof SleRecordSchema>;
export type SleScoreRecord = z.infer<typeof SleScoreRecordSchema>;

/** The sle family's stored records: what its snapshot holds, for every reader (collector joins, exporter). */
export const sleRecords = defineRecords<SleRecord>('sle', SleRecordSchema);
