/**
 * Walking the simulator's three Mist pagination forms over real HTTP, asserting each form's contract on
 * every page, and validating bodies against the OpenAPI spec. Shared by the sim-openapi* and
 * sim-pagination* integration tests.
 */
import { expect } from 'vitest';
import { pathTemplateFor, validateResponse } from './openapi.js';
import type { TestSim } from './sim-server.js';

export type Row = Record<string, unknown>;

/** Form B body: ports, vpn_peers, alarms and events search. */
export interface SearchBody {
  start: number;
  end: number;
  limit: number;
  total: number;
  next?: string;
  results: Row[];
}

/** Form C body: org insights (sites-sle). */
export interface InsightsBody {
  start: number;
  end: number;
  page: number;
  limit: number;
  total: number;
  results: Row[];
}

/** Mist caps every page at 1,000 rows whatever `limit` asks for. */
export const MAX_LIMIT = 1000;

/** The org collections served with pagination form A (page/limit, X-Page-* headers), relative to /orgs/{org_id}/. */
export const FORM_A = ['sites', 'sitegroups', 'inventory', 'stats/devices?type=gateway'] as const;
/** The org searches served with pagination form B (`next` with search_after), relative to /orgs/{org_id}/. */
export const FORM_B = [
  'stats/ports/search?device_type=gateway', 'stats/ports/search', 'stats/vpn_peers/search', 'alarms/search',
  'devices/events/search?device_type=gateway',
] as const;

/** The ids a form-A collection must return, in the org's order. */
export function expectedIds(t: TestSim, collection: (typeof FORM_A)[number]): string[] {
  const { org } = t.sim;
  switch (collection) {
    case 'sites':
      return org.sites.map((s) => s.id);
    case 'sitegroups':
      return org.sitegroups.map((g) => g.id);
    case 'inventory':
    case 'stats/devices?type=gateway':
      return org.gateways.map((g) => g.id);
  }
}

export const withQuery = (path: string, query: string): string => `${path}${path.includes('?') ? '&' : '?'}${query}`;

/** Asserts a body matches the spec's schema for GET <path's template> <status>. */
export function expectSpecValid(path: string, status: number, body: unknown): void {
  const template = pathTemplateFor(path);
  expect(template, `no spec path for ${path}`).toBeDefined();
  expect(validateResponse('get', template ?? '', status, body).errors, `GET ${path} -> ${status}`).toEqual([]);
}

/** GETs a path, asserts the status, and returns the parsed body. */
export async function getJson<T>(t: TestSim, path: string, status = 200): Promise<T> {
  const r = await t.get(path);
  expect(r.status, `GET ${path}: ${r.text.slice(0, 300)}`).toBe(status);
  return r.json<T>();
}

/** Page numbers worth validating out of `pages`: first, middle and last (deduplicated). */
export function firstMiddleLast(pages: number): number[] {
  return [...new Set([1, Math.ceil(pages / 2), Math.max(1, pages)])];
}

export interface FormAPage {
  page: number;
  limit: number;
  total: number;
  rows: Row[];
}

/** Fetches one form-A page and checks its X-Page-* headers and its length against them. */
export async function formAPage(t: TestSim, path: string, limit: number, page: number): Promise<FormAPage> {
  const url = withQuery(path, `limit=${limit}&page=${page}`);
  const r = await t.get(url);
  expect(r.status, `GET ${url}: ${r.text.slice(0, 300)}`).toBe(200);
  const header = (name: string): number => {
    const v = r.headers.get(name);
    expect(v, `${name} on ${url}`).toMatch(/^\d+$/);
    return Number(v);
  };
  const got: FormAPage = { page: header('x-page-page'), limit: header('x-page-limit'), total: header('x-page-total'), rows: r.json<Row[]>() };
  expect(got.page).toBe(page);
  expect(got.limit).toBe(Math.min(limit, MAX_LIMIT));
  expect(Array.isArray(got.rows)).toBe(true);
  expect(got.rows.length).toBe(Math.max(0, Math.min(got.limit, got.total - (page - 1) * got.limit)));
  return got;
}

/**
 * Form A: page=1,2,… until X-Page-Limit × page >= X-Page-Total (the documented termination rule), then
 * checks that the page past the end is an empty array.
 */
export async function walkFormA(t: TestSim, path: string, limit: number): Promise<{ pages: FormAPage[]; rows: Row[] }> {
  const pages: FormAPage[] = [];
  for (let page = 1; ; page++) {
    const p = await formAPage(t, path, limit, page);
    if (pages[0]) expect(p.total, `X-Page-Total changed mid-walk on page ${page}`).toBe(pages[0].total);
    pages.push(p);
    if (p.limit * page >= p.total) break;
    expect(page, `form A walk of ${path} runs past ceil(total / limit) pages`).toBeLessThan(Math.ceil(pages[0]!.total / p.limit));
  }
  const past = await formAPage(t, path, limit, pages.length + 1);
  expect(past.rows).toEqual([]);
  return { pages, rows: pages.flatMap((p) => p.rows) };
}

/**
 * Form B: follows `next` from `path` until it is absent. Every `next` must be host-relative (/api/v1/…) and
 * carry search_after plus the first page's start/end; every page but the last is full; total, start and
 * end never change; the rows add up to total.
 */
export async function walkFormB(
  t: TestSim, path: string, between?: (pageNo: number) => Promise<void>,
): Promise<{ pages: SearchBody[]; rows: Row[] }> {
  const pages: SearchBody[] = [];
  let url: string | undefined = path;
  while (url !== undefined) {
    const body: SearchBody = await getJson<SearchBody>(t, url);
    const first = pages[0] ?? body;
    expect([body.total, body.start, body.end], `page ${pages.length + 1} of ${path}`).toEqual([first.total, first.start, first.end]);
    pages.push(body);
    url = body.next;
    if (url === undefined) break;
    expect(url.startsWith('/api/v1/'), `next is host-relative: ${url}`).toBe(true);
    const q = new URL(url, 'http://host.invalid').searchParams;
    expect(q.get('search_after'), `search_after in ${url}`).toBeTruthy();
    expect([Number(q.get('start')), Number(q.get('end'))], `pinned start/end in ${url}`).toEqual([body.start, body.end]);
    expect(body.results.length, `a page with a next link is full (${url})`).toBe(body.limit);
    expect(pages.length, `form B walk of ${path} runs past ceil(total / limit) pages`).toBeLessThan(Math.ceil(body.total / body.limit));
    if (between) await between(pages.length);
  }
  const rows = pages.flatMap((p) => p.results);
  expect(rows.length, `rows walked vs total of ${path}`).toBe(pages[0]!.total);
  return { pages, rows };
}

/** Form C: page=1,2,… until page × limit >= total, with page/limit/total in the body. */
export async function walkFormC(t: TestSim, path: string, limit: number): Promise<{ pages: InsightsBody[]; rows: Row[] }> {
  const pages: InsightsBody[] = [];
  for (let page = 1; ; page++) {
    const body = await getJson<InsightsBody>(t, withQuery(path, `limit=${limit}&page=${page}`));
    expect([body.page, body.limit]).toEqual([page, Math.min(limit, MAX_LIMIT)]);
    if (pages[0]) expect(body.total).toBe(pages[0].total);
    expect(body.results.length).toBe(Math.max(0, Math.min(body.limit, body.total - (page - 1) * body.limit)));
    pages.push(body);
    if (body.limit * page >= body.total) break;
    expect(page, `form C walk of ${path} runs past ceil(total / limit) pages`).toBeLessThan(Math.ceil(pages[0]!.total / body.limit));
  }
  return { pages, rows: pages.flatMap((p) => p.results) };
}

/** The keys of `rows` (by `keyOf`), asserting none repeats. */
export function uniqueKeys(rows: readonly Row[], keyOf: (r: Row) => string): string[] {
  const keys = rows.map(keyOf);
  const seen = new Set<string>();
  const dups = keys.filter((k) => (seen.has(k) ? true : (seen.add(k), false)));
  expect(dups, 'duplicate rows').toEqual([]);
  return keys;
}

/**
 * Forces one incident of each kind (outage, flap, failover, congestion) on the org's last sites (spokes) and
 * advances simulated time past them, so alarms and device events have rows to page through and validate.
 */
export async function forceIncidents(t: TestSim, advanceSeconds = 1800): Promise<void> {
  const sites = t.sim.org.sites;
  const kinds = ['outage', 'flap', 'failover', 'congestion'] as const;
  for (const [k, kind] of kinds.entries()) {
    const site = sites[Math.max(0, sites.length - 1 - k)]!;
    const r = await t.admin('POST', '/__sim/incidents', { kind, site_id: site.id, duration_seconds: 600 });
    expect(r.status, `force ${kind}`).toBe(201);
  }
  const r = await t.admin('POST', '/__sim/advance', { seconds: advanceSeconds });
  expect(r.status).toBe(200);
}
