import type { z } from 'zod';

/**
 * A family's stored records: the store family name and the zod schema every reader validates them with (the
 * collector joining another family's snapshot, the exporter rendering it). Neutral ground: it imports neither
 * the collector nor the exporter, so both share the contract from here.
 */
export interface RecordsDecl<T> {
  /** The family whose snapshot holds the records (store key part, `family` label value). */
  readonly name: string;
  readonly schema: z.ZodType<T>;
}

export function defineRecords<T>(name: string, schema: z.ZodType<T>): RecordsDecl<T> {
  return Object.freeze({ name, schema });
}

/**
 * The same family's records read through a narrower schema: a join validates only the fields it uses, so a
 * field added to the family's records never makes its readers drop them.
 */
export function narrowRecords<T>(decl: RecordsDecl<unknown>, schema: z.ZodType<T>): RecordsDecl<T> {
  return Object.freeze({ name: decl.name, schema });
}

/** Raw stored records validated one by one; unreadable ones are dropped and counted by one reason per family. */
export function validateStored<T>(decl: RecordsDecl<T>, raw: readonly unknown[] | null, dropped: Record<string, number>): T[] | null {
  if (raw === null) return null;
  const out: T[] = [];
  for (const r of raw) {
    const parsed = decl.schema.safeParse(r);
    if (parsed.success) out.push(parsed.data);
    else {
      const reason = unreadableReason(decl.name);
      dropped[reason] = (dropped[reason] ?? 0) + 1;
    }
  }
  return out;
}

export const unreadableReason = (family: string): string => `unreadable ${family} record in the store`;
