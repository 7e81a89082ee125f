import type { z } from 'zod';

/**
 * The seam between the collector and Mist. The collector asks for an endpoint's pages; the client handles
 * tokens, budget, retries and pagination, validates each record, and never lets a bad record fail a page.
 */

/** Mist's three pagination forms (docs/mist-api.md §1.5). */
export type PaginationForm = 'page-headers' | 'search-next' | 'insights-body' | 'none';

/** Where to resume a walk: the next page number (page forms) or the host-relative `next` URL (search form). */
export type Cursor = { readonly page: number } | { readonly next: string };

/** One endpoint, declared once in src/mist/endpoints.ts. */
export interface Endpoint<T> {
  /** Stable name used in logs and metrics, e.g. 'stats_ports_search'. */
  readonly name: string;
  /** Host-relative path, e.g. `/api/v1/orgs/${orgId}/stats/ports/search`. */
  readonly path: string;
  readonly query: Readonly<Record<string, string | number>>;
  readonly form: PaginationForm;
  /** Page size to request (Mist caps at 1000). */
  readonly limit: number;
  /** Schema of one record (or of the whole body for form 'none'). */
  readonly schema: z.ZodType<T>;
  /** Optional filter applied after validation (e.g. keep WAN ports only); filtered records are not "dropped". */
  readonly keep?: (record: T) => boolean;
}

export interface Page<T> {
  /** 0-based index of this page in this call's walk (a walk resumed with `from` starts at 0 again). */
  readonly index: number;
  readonly records: readonly T[];
  /** Records that failed validation, by reason (zod path + message, no values). */
  readonly dropped: Readonly<Record<string, number>>;
  /** Where the walk continues after this page; null when this was the last page. */
  readonly cursor: Cursor | null;
  /** Total the server announced (X-Page-Total, total), when it did. */
  readonly total?: number;
  /**
   * The time window the server answered for (search form: the body's `start`/`end`, epoch seconds), when it
   * said: the server's clock, for incremental walks that ask up to `end=now`.
   */
  readonly window?: { readonly start: number; readonly end: number };
}

export interface MistApi {
  /** Walks an endpoint's pages, starting at `from` (resume) or the beginning. */
  pages<T>(endpoint: Endpoint<T>, opts?: { from?: Cursor; signal?: AbortSignal }): AsyncIterable<Page<T>>;
  /** One unpaginated call (form 'none'), validated as a whole. */
  getOne<T>(endpoint: Endpoint<T>, opts?: { signal?: AbortSignal }): Promise<T>;
  /** How many records a collection holds (before `keep`), with one cheap call (limit=1), for budget planning. */
  count<T>(endpoint: Endpoint<T>, opts?: { signal?: AbortSignal }): Promise<number>;
}

/** Per-token budget use as reported to the store and metrics (never the token itself). */
export interface TokenUsage {
  readonly fingerprint: string;
  /** Calls made in the current clock hour. */
  readonly used: number;
  readonly limit: number;
  /** Epoch ms until which the token is cooling down after a 429; 0 when usable. */
  readonly coolingUntil: number;
}

/** A call's outcome, for self-metrics: attempts, failures by reason, 429s, latency. */
export interface CallRecord {
  readonly endpoint: string;
  readonly fingerprint: string;
  readonly status: number | null;
  /** Stable failure reason (MistErrorCode), or null on success. */
  readonly failure: string | null;
  readonly durationMs: number;
}
