import type { FastifyReply } from 'fastify';

/**
 * Mist's three pagination forms, exactly:
 *  (A) bare arrays with page/limit query and X-Page-Limit / X-Page-Page / X-Page-Total headers;
 *  (B) search bodies {start, end, limit, total, next?, results} where `next` is a host-relative URL carrying
 *      search_after (a JSON array of the last row's sort values) and the pinned start/end;
 *  (C) insights bodies {start, end, limit, page, total, results}.
 * `loop` simulates a broken server: (B) `next` repeats the current page, (A)/(C) always claim another page.
 * `overlap` simulates data moving between page requests (A, B): a page after the first starts with that many of
 * the previous page's last rows again, so a client sees them twice (nothing is lost).
 */

export function pageForm<T>(reply: FastifyReply, items: readonly T[], page: number, limit: number, loop: boolean, overlap = 0): T[] {
  const total = loop ? Math.max(items.length, page * limit + 1) : items.length;
  reply.header('X-Page-Limit', String(limit)).header('X-Page-Page', String(page)).header('X-Page-Total', String(total));
  const from = loop ? 0 : (page - 1) * limit;
  const rows = items.slice(from, from + limit);
  return overlap > 0 && from > 0 && rows.length > 0 ? [...items.slice(Math.max(0, from - overlap), from), ...rows] : rows;
}

export interface InsightsPage<T> {
  page: number;
  limit: number;
  total: number;
  results: T[];
}

export function insightsForm<T>(items: readonly T[], page: number, limit: number, loop: boolean): InsightsPage<T> {
  const from = loop ? 0 : (page - 1) * limit;
  return { page, limit, total: loop ? Math.max(items.length, page * limit + 1) : items.length, results: items.slice(from, from + limit) };
}

export type SortKey = readonly (string | number)[];

function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

export interface SearchRequest {
  /** Host-relative path of the endpoint, e.g. /api/v1/orgs/{id}/stats/ports/search */
  path: string;
  query: Record<string, string | undefined>;
  limit: number;
  /** Parameters fixed for the whole walk (start/end), so later pages see the same collection. */
  pinned: Record<string, string>;
  descending?: boolean;
  loop?: boolean;
  overlap?: number;
}

export interface SearchPage<T> {
  total: number;
  limit: number;
  results: T[];
  next?: string;
}

/** Form (B) over rows already sorted ascending by `keyOf`. */
export function searchForm<T>(rows: readonly T[], keyOf: (row: T) => SortKey, req: SearchRequest): SearchPage<T> {
  const ordered = req.descending ? [...rows].reverse() : rows;
  let from = 0;
  const after = parseSearchAfter(req.query.search_after);
  if (after) {
    // Rows are ordered, so binary-search the first row strictly past the cursor.
    let lo = 0;
    let hi = ordered.length;
    const dir = req.descending ? -1 : 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (dir * compareKeys(keyOf(ordered[mid]!), after) <= 0) lo = mid + 1;
      else hi = mid;
    }
    from = lo;
  }
  const results = ordered.slice(from, from + req.limit);
  const served = results.length;
  const out: SearchPage<T> = { total: rows.length, limit: req.limit, results: req.overlap && from > 0 && served > 0 ? [...ordered.slice(Math.max(0, from - req.overlap), from), ...results] : results };
  // A looping server claims more even on the last page.
  const more = req.loop === true || from + served < ordered.length;
  if (more && results.length > 0) {
    const cursor = req.loop ? req.query.search_after : JSON.stringify(keyOf(results[results.length - 1]!));
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...req.query, ...req.pinned, limit: String(req.limit) })) {
      if (k !== 'search_after' && v !== undefined) params.set(k, v);
    }
    if (cursor !== undefined) params.set('search_after', cursor);
    out.next = `${req.path}?${params.toString()}`;
  }
  return out;
}

function parseSearchAfter(value: string | undefined): SortKey | undefined {
  if (value === undefined || value === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    if (Array.isArray(parsed) && parsed.every((v) => typeof v === 'string' || typeof v === 'number')) return parsed as SortKey;
  } catch {
    // fall through
  }
  throw Object.assign(new Error('invalid search_after'), { statusCode: 400 });
}
