import { z } from 'zod';

/**
 * Field helpers for Mist's loose JSON: absent and null mean the same ("not reported") and both come out as
 * undefined, so mappers test one thing. Unknown fields are stripped (zod's default), never an error.
 */

/** Mist ids: 8-4-4-4-12 hex (device ids are `00000000-0000-0000-1000-<mac>`, not RFC UUIDs). */
export const id = z.guid();

export const optId = z.guid().nullish().transform((v) => v ?? undefined);
export const optString = z.string().nullish().transform((v) => v ?? undefined);
export const optNumber = z.number().nullish().transform((v) => v ?? undefined);
export const optBoolean = z.boolean().nullish().transform((v) => v ?? undefined);
export const stringList = z.array(z.string()).nullish().transform((v) => v ?? []);
