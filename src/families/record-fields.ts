import { z } from 'zod';

/**
 * What the collector stores per family (each family's records.ts, src/families/<name>/records.ts): records in
 * base units (seconds, bytes, ratios 0–1), mapped from Mist JSON by pure functions. This is the contract with the
 * exporter, which validates records with these schemas where they leave the store and renders them as metrics.
 * Bump the store key prefix's version when a record shape changes incompatibly. This file holds what they share.
 */
export const STORE_SCHEMA_VERSION = 1;

/** A number or a string that may be unknown (null): unknown is never 0 or ''. */
export const num = z.number().nullable();
export const str = z.string().nullable();
