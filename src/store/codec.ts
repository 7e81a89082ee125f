import { z } from 'zod';
import type { FamilyMeta, Staging } from './types.js';

/**
 * What the Redis store writes and, validated with zod, reads back. Every hash field holds one JSON value, so a
 * field can be updated alone (recordFailure) and still be typed. A value that fails to parse is "absent": the
 * reader logs it and carries on, the next publish or beginGeneration overwrites it.
 */

const count = z.number().int().nonnegative();
const epochMs = z.number().finite().nonnegative();
const nullable = <T extends z.ZodType>(schema: T) => schema.nullable().default(null);

export const MetaSchema = z.object({
  generation: nullable(z.string()),
  lastAttempt: nullable(epochMs),
  lastSuccess: nullable(epochMs),
  durationMs: nullable(z.number().finite().nonnegative()),
  recordsKept: nullable(count),
  recordsDropped: nullable(count),
  pages: nullable(count),
  calls: nullable(count),
  lastError: nullable(z.string()),
  intervalSeconds: nullable(z.number().finite().positive()),
  counterDeltas: nullable(z.record(z.string(), z.record(z.string(), z.number().finite().nonnegative()))),
  uncountedGapSeconds: nullable(z.number().finite().nonnegative()),
  // Optional, not defaulted: absent unless a site filter was configured (src/collect/site-filter-cycle.ts).
  recordsFiltered: count.nullable().optional(),
  sitesIncluded: count.nullable().optional(),
  sitesExcluded: count.nullable().optional(),
}) satisfies z.ZodType<FamilyMeta>;

export const StagingSchema = z.object({
  generation: z.string().min(1),
  startedAt: epochMs,
  pages: count,
  cursor: z.string().nullable(),
  recordsKept: count,
  recordsDropped: count,
}) satisfies z.ZodType<Staging>;

/** The `current` pointer: which generation readers get, and how many pages it has. */
export const CurrentSchema = z.object({
  generation: z.string().min(1),
  pages: count,
  publishedAt: epochMs,
});
export type Current = z.output<typeof CurrentSchema>;

export const BudgetSchema = z.object({
  used: count,
  limit: count,
  coolingUntil: epochMs,
  at: epochMs,
});

/** Flattens an object into HSET's field/value argument list, each value as JSON. */
export function hashArgs(values: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(values).flatMap(([field, value]) => [field, JSON.stringify(value ?? null)]);
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; problem: string };

/** HGETALL result → validated object. An empty hash is "absent" (not a problem). */
export function decodeHash<T>(fields: Readonly<Record<string, string>>, schema: z.ZodType<T>): Decoded<T> | null {
  if (Object.keys(fields).length === 0) return null;
  const raw: Record<string, unknown> = {};
  for (const [field, text] of Object.entries(fields)) {
    try {
      raw[field] = JSON.parse(text);
    } catch {
      return { ok: false, problem: `field ${field} is not JSON` };
    }
  }
  return decodeValue(raw, schema);
}

export function decodeJson<T>(text: string, schema: z.ZodType<T>): Decoded<T> {
  try {
    return decodeValue(JSON.parse(text), schema);
  } catch {
    return { ok: false, problem: 'value is not JSON' };
  }
}

function decodeValue<T>(raw: unknown, schema: z.ZodType<T>): Decoded<T> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  // Paths and messages only: values are not quoted into logs.
  return { ok: false, problem: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') };
}
