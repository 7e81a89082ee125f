import { createHash } from 'node:crypto';
import { z } from 'zod';
import { describeCall, MistError } from './errors.js';
import type { Cursor, Endpoint } from './types.js';

/**
 * Mist's three pagination forms (docs/mist-api.md §1.5), as pure functions: which request comes first, how a
 * response reads as rows + the next cursor, and a guard that stops loops and runaway walks.
 */

/** Any walk stops here, whatever the server claims. */
export const HARD_PAGE_CAP = 1000;

export interface PageRequest {
  /** Host-relative path with query. */
  readonly path: string;
  /** Page number for the page forms. */
  readonly page?: number;
}

export interface PageResponse {
  readonly headers: Readonly<Record<string, string>>;
  readonly json: unknown;
  readonly text: string;
}

export interface ReadPage {
  readonly rows: readonly unknown[];
  readonly total?: number;
  /** Effective page size (what the server says it used, else what was asked). */
  readonly limit: number;
  readonly next: Cursor | null;
  /** Search form: the window (`start`, `end`) the body announced. */
  readonly window?: { readonly start: number; readonly end: number };
}

export function withQuery(path: string, query: Readonly<Record<string, string | number>>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) params.set(k, String(v));
  const qs = params.toString();
  return qs === '' ? path : `${path}${path.includes('?') ? '&' : '?'}${qs}`;
}

/** The request for a cursor (or the first page when none). */
export function requestFor<T>(endpoint: Endpoint<T>, cursor: Cursor | undefined): PageRequest {
  const fail = (why: string): MistError => new MistError('E_MIST_PAGINATION', `${endpoint.name}: ${why}`, { endpoint: endpoint.name, path: endpoint.path });
  switch (endpoint.form) {
    case 'none':
      if (cursor) throw fail('an unpaginated endpoint has no cursor');
      return { path: withQuery(endpoint.path, endpoint.query) };
    case 'search-next':
      if (!cursor) return { path: withQuery(endpoint.path, { ...endpoint.query, limit: endpoint.limit }) };
      if (!('next' in cursor)) throw fail('a search endpoint resumes from a `next` cursor, not a page number');
      return { path: checkNext(endpoint, cursor.next) };
    case 'page-headers':
    case 'insights-body': {
      if (cursor && !('page' in cursor)) throw fail('a paged endpoint resumes from a page number, not a `next` URL');
      const page = cursor?.page ?? 1;
      if (!Number.isInteger(page) || page < 1) throw fail(`invalid page ${page}`);
      return { path: withQuery(endpoint.path, { ...endpoint.query, limit: endpoint.limit, page }), page };
    }
  }
}

/** Reads a response as rows and the cursor after it. Throws E_MIST_BAD_RESPONSE when the body has the wrong shape. */
export function readPage<T>(endpoint: Endpoint<T>, req: PageRequest, res: PageResponse): ReadPage {
  const bad = (why: string): MistError => new MistError('E_MIST_BAD_RESPONSE', `${describeCall(endpoint.name, req.path)}: ${why}`, { endpoint: endpoint.name, path: req.path });
  const body = res.json;
  switch (endpoint.form) {
    case 'none':
      return { rows: [body], limit: 1, next: null };
    case 'page-headers': {
      if (!Array.isArray(body)) throw bad('expected a JSON array');
      const page = req.page ?? 1;
      const total = intHeader(res.headers['x-page-total']);
      const limit = intHeader(res.headers['x-page-limit']) || endpoint.limit;
      // Documented rule: more while limit × page < total; without the header, a short page is the last.
      const more = body.length > 0 && (total !== undefined ? page * limit < total : body.length >= limit);
      return { rows: body, ...(total !== undefined ? { total } : {}), limit, next: more ? { page: page + 1 } : null };
    }
    case 'insights-body': {
      const b = SearchBodySchema.safeParse(body);
      if (!b.success) throw bad('expected an object with a `results` array');
      const page = b.data.page ?? req.page ?? 1;
      const limit = b.data.limit || endpoint.limit;
      const total = b.data.total ?? undefined;
      const rows = b.data.results;
      const more = rows.length > 0 && (total !== undefined ? page * limit < total : rows.length >= limit);
      return { rows, ...(total !== undefined ? { total } : {}), limit, next: more ? { page: page + 1 } : null };
    }
    case 'search-next': {
      const b = SearchBodySchema.safeParse(body);
      if (!b.success) throw bad('expected an object with a `results` array');
      const rows = b.data.results;
      const total = b.data.total ?? undefined;
      const next = typeof b.data.next === 'string' && b.data.next !== '' && rows.length > 0 ? checkNext(endpoint, b.data.next) : null;
      const { start, end } = b.data;
      const window = typeof start === 'number' && typeof end === 'number' && Number.isFinite(start) && Number.isFinite(end) ? { window: { start, end } } : {};
      return { rows, ...(total !== undefined ? { total } : {}), limit: b.data.limit || endpoint.limit, next: next === null ? null : { next }, ...window };
    }
  }
}

/** The body fields the search and insights forms share; `results` is required, rows are validated later one by one. */
const SearchBodySchema = z.object({
  results: z.array(z.unknown()),
  total: z.number().int().nonnegative().nullish(),
  limit: z.number().int().nonnegative().nullish(),
  page: z.number().int().positive().nullish(),
  next: z.string().nullish(),
  /** Read only when numbers (the search form's window); anything else is ignored, never an error. */
  start: z.unknown().optional(),
  end: z.unknown().optional(),
});

function intHeader(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

/** `next` must be host-relative: a token is never sent to a host the configuration did not name. */
function checkNext<T>(endpoint: Endpoint<T>, next: string): string {
  if (!next.startsWith('/') || next.startsWith('//')) {
    throw new MistError('E_MIST_PAGINATION', `${endpoint.name}: \`next\` is not a host-relative URL; refusing to follow it`, { endpoint: endpoint.name, path: endpoint.path });
  }
  return next;
}

/**
 * Stops walks that would never end: a `next` URL or a page body seen before (a loop), or more pages than the
 * first page's total announces plus two (a runaway), or the hard cap.
 */
export class WalkGuard<T> {
  private readonly seenNext = new Set<string>();
  private lastSignature: string | undefined;
  private pages = 0;
  private allowed: number;

  constructor(private readonly endpoint: Endpoint<T>, private readonly hardCap = HARD_PAGE_CAP) {
    this.allowed = hardCap;
  }

  /** Before a request. */
  beforeRequest(req: PageRequest): void {
    if (this.endpoint.form === 'search-next') {
      if (this.seenNext.has(req.path)) throw this.fail(`pagination loop: \`next\` repeats an earlier URL after ${this.pages} pages`, req);
      this.seenNext.add(req.path);
    }
    if (this.pages >= this.allowed) {
      throw this.fail(`runaway pagination: more than ${this.allowed} pages${this.allowed < this.hardCap ? ' for the announced total' : ''}`, req);
    }
  }

  /** After a response was read. */
  afterResponse(req: PageRequest, page: ReadPage, text: string): void {
    this.pages += 1;
    if (this.pages === 1 && page.total !== undefined && page.limit > 0) {
      this.allowed = Math.min(this.hardCap, Math.ceil(page.total / page.limit) + 2);
    }
    if (page.rows.length > 0 && this.endpoint.form !== 'search-next') {
      const signature = createHash('sha1').update(text).digest('hex');
      if (signature === this.lastSignature) throw this.fail(`pagination loop: page ${req.page ?? '?'} repeats the previous page`, req);
      this.lastSignature = signature;
    }
  }

  private fail(why: string, req: PageRequest): MistError {
    return new MistError('E_MIST_PAGINATION', `${describeCall(this.endpoint.name, req.path)}: ${why}`, { endpoint: this.endpoint.name, path: req.path });
  }
}

const CursorSchema = z.union([z.object({ page: z.number().int().positive() }).strict(), z.object({ next: z.string().min(1) }).strict()]);

/** A cursor as text (for the store's staging record), and back. */
export function encodeCursor(cursor: Cursor | null): string | null {
  return cursor === null ? null : JSON.stringify(cursor);
}

export function decodeCursor(text: string | null): Cursor | null {
  if (text === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const result = CursorSchema.safeParse(parsed);
  if (!result.success) throw new MistError('E_MIST_PAGINATION', 'stored pagination cursor is not readable');
  return result.data;
}
