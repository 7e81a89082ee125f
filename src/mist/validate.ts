import type { z } from 'zod';

export interface Validated<T> {
  readonly records: T[];
  /** Records that failed their schema, by reason. */
  readonly dropped: Record<string, number>;
  /** Valid records the endpoint's `keep` filter left out (not an error). */
  readonly filtered: number;
}

/** Validates each row on its own: a bad row is dropped and counted, its page-mates are kept. */
export function validateRecords<T>(rows: readonly unknown[], schema: z.ZodType<T>, keep?: (record: T) => boolean): Validated<T> {
  const records: T[] = [];
  const dropped: Record<string, number> = {};
  let filtered = 0;
  for (const row of rows) {
    const result = schema.safeParse(row);
    if (!result.success) {
      const reason = issueReason(result.error.issues[0]);
      dropped[reason] = (dropped[reason] ?? 0) + 1;
    } else if (keep && !keep(result.data)) {
      filtered += 1;
    } else {
      records.push(result.data);
    }
  }
  return { records, dropped, filtered };
}

/**
 * `site_id: Invalid input: expected string, received undefined`. Built from the schema's message (which names
 * types, never values); map keys and array indexes become `*` so reasons stay a small, fixed set.
 */
export function issueReason(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return '(record): invalid';
  const path = issue.path.map((p) => (typeof p === 'string' && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(p) ? p : '*')).join('.');
  return `${path || '(record)'}: ${issue.message}`;
}
