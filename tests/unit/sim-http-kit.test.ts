import type { FastifyReply } from 'fastify';
import { describe, expect, it } from 'vitest';
import { FaultBook, FaultSpecSchema, type FaultSpec } from '../../src/sim/http/faults.js';
import { insightsForm, pageForm, searchForm, type SearchRequest } from '../../src/sim/http/pagination.js';
import { CallStats, RateLimiter, tokenFingerprint } from '../../src/sim/http/rate-limit.js';
import { BadRequest, listParam, parseDuration, parseLimit, parsePage, resolveWindow } from '../../src/sim/http/window.js';

/** The simulator's pure HTTP helpers: time windows, pagination forms, the hourly budget, the fault book. */

const NOW = 1_790_000_000;
const HOUR_START = Math.floor(NOW / 3600) * 3600;

describe('parseDuration', () => {
  it.each([['30s', 30], ['10m', 600], ['2h', 7200], ['1d', 86_400], ['2w', 1_209_600], [' 7d ', 604_800]])('reads %j as %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['xyz', '10', 'h', '-1d', '1.5h', '10y', ''])('rejects %j as a 400', (text) => {
    expect(() => parseDuration(text)).toThrow(BadRequest);
    try { parseDuration(text); } catch (e) { expect((e as BadRequest).statusCode).toBe(400); }
  });
});

describe('resolveWindow', () => {
  it('defaults to the day that ends now', () => {
    expect(resolveWindow({}, NOW)).toEqual({ start: NOW - 86_400, end: NOW });
  });

  it('uses the caller\'s default duration when none is given', () => {
    expect(resolveWindow({}, NOW, '1h')).toEqual({ start: NOW - 3600, end: NOW });
  });

  it('ends a duration-only window now', () => {
    expect(resolveWindow({ duration: '10m' }, NOW)).toEqual({ start: NOW - 600, end: NOW });
  });

  it('runs start + duration forward when no end is given', () => {
    expect(resolveWindow({ start: String(NOW - 7200), duration: '1h' }, NOW)).toEqual({ start: NOW - 7200, end: NOW - 3600 });
  });

  it('ends a start-only window now', () => {
    expect(resolveWindow({ start: String(NOW - 100) }, NOW)).toEqual({ start: NOW - 100, end: NOW });
  });

  it('reads relative instants and "now"', () => {
    expect(resolveWindow({ start: '-1d', end: 'now' }, NOW)).toEqual({ start: NOW - 86_400, end: NOW });
    expect(resolveWindow({ end: '-2h', duration: '1h' }, NOW)).toEqual({ start: NOW - 10_800, end: NOW - 7200 });
  });

  it.each([
    [{ start: '2000', end: '1000' }, /start is after end/],
    [{ start: 'yesterday' }, /invalid time/],
    [{ end: '-1y' }, /invalid duration/],
    [{ duration: 'xyz' }, /invalid duration/],
  ])('rejects %j with a 400', (q, message) => {
    expect(() => resolveWindow(q, NOW)).toThrow(message);
    expect(() => resolveWindow(q, NOW)).toThrow(BadRequest);
  });
});

describe('parseLimit, parsePage, listParam', () => {
  it('falls back when limit is absent or 0 and caps it at the maximum', () => {
    expect(parseLimit(undefined, 100)).toBe(100);
    expect(parseLimit('0', 100)).toBe(100);
    expect(parseLimit('25', 100)).toBe(25);
    expect(parseLimit('5000', 100)).toBe(1000);
    expect(parseLimit('50', 10, 20)).toBe(20);
  });

  it.each(['-1', '1.5', 'ten', '1e400'])('rejects limit %j', (v) => {
    expect(() => parseLimit(v, 100)).toThrow(BadRequest);
  });

  it('reads pages from 1 and rejects 0, negatives and fractions', () => {
    expect(parsePage(undefined)).toBe(1);
    expect(parsePage('3')).toBe(3);
    for (const v of ['0', '-2', '1.5', 'x']) expect(() => parsePage(v), v).toThrow(BadRequest);
  });

  it('splits comma-separated lists and treats an empty value as no filter', () => {
    expect(listParam('a, b,,c')).toEqual(['a', 'b', 'c']);
    expect(listParam('')).toBeUndefined();
    expect(listParam(undefined)).toBeUndefined();
  });
});

/** A stand-in for the one FastifyReply method pageForm uses. */
function headerSink(): { reply: FastifyReply; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  const reply = { header(k: string, v: string) { headers[k] = v; return reply; } };
  return { reply: reply as unknown as FastifyReply, headers };
}

describe('pageForm (A) and insightsForm (C)', () => {
  const items = Array.from({ length: 25 }, (_, i) => i);

  it('slices the page and reports limit, page and the true total in X-Page-* headers', () => {
    const { reply, headers } = headerSink();
    expect(pageForm(reply, items, 3, 10, false)).toEqual([20, 21, 22, 23, 24]);
    expect(headers).toEqual({ 'X-Page-Limit': '10', 'X-Page-Page': '3', 'X-Page-Total': '25' });
    expect(pageForm(headerSink().reply, items, 4, 10, false)).toEqual([]);
  });

  it('loops: always claims a page beyond the requested one and serves the first page again', () => {
    for (const page of [1, 3, 9]) {
      const { reply, headers } = headerSink();
      expect(pageForm(reply, items, page, 10, true)).toEqual(items.slice(0, 10));
      expect(Number(headers['X-Page-Total'])).toBeGreaterThan(page * 10);
    }
  });

  it('overlaps: a later page starts with the previous page\'s last rows again, the first page and total unchanged', () => {
    const { reply, headers } = headerSink();
    expect(pageForm(reply, items, 1, 10, false, 2)).toEqual(items.slice(0, 10));
    expect(pageForm(reply, items, 3, 10, false, 2)).toEqual([18, 19, 20, 21, 22, 23, 24]);
    expect(headers['X-Page-Total']).toBe('25');
    expect(pageForm(reply, items, 4, 10, false, 2)).toEqual([]);
  });

  it('reports page, limit and total in the body for insights', () => {
    expect(insightsForm(items, 2, 10, false)).toEqual({ page: 2, limit: 10, total: 25, results: items.slice(10, 20) });
    expect(insightsForm([], 1, 10, false)).toEqual({ page: 1, limit: 10, total: 0, results: [] });
    const looped = insightsForm(items, 7, 10, true);
    expect(looped.total).toBeGreaterThan(70);
    expect(looped.results).toEqual(items.slice(0, 10));
  });
});

describe('searchForm (B)', () => {
  const rows = Array.from({ length: 10 }, (_, i) => ({ ts: 1000 + i, id: `r${i}` }));
  const keyOf = (r: { ts: number; id: string }) => [r.ts, r.id];
  const PATH = '/api/v1/orgs/o/alarms/search';
  const req = (query: Record<string, string | undefined>, extra: Partial<SearchRequest> = {}): SearchRequest => ({
    path: PATH, query, limit: Number(query.limit ?? 4), pinned: { start: '100', end: '200' }, ...extra,
  });
  const queryOfNext = (next: string) => Object.fromEntries(new URL(next, 'http://x').searchParams);

  it('overlaps: every page after the first repeats the previous page\'s last rows, and the walk still ends', () => {
    const seen: string[] = [];
    let page = searchForm(rows, keyOf, req({ limit: '4' }, { overlap: 1 }));
    seen.push(...page.results.map((r) => r.id));
    while (page.next) {
      page = searchForm(rows, keyOf, req(queryOfNext(page.next), { overlap: 1 }));
      seen.push(...page.results.map((r) => r.id));
    }
    expect(seen).toEqual(['r0', 'r1', 'r2', 'r3', 'r3', 'r4', 'r5', 'r6', 'r7', 'r7', 'r8', 'r9']);
  });

  it('walks every row exactly once by following `next`, which pins start/end and keeps filters', () => {
    const seen: string[] = [];
    let page = searchForm(rows, keyOf, req({ limit: '4', type: 'a,b', start: '-1d' }));
    let hops = 0;
    while (true) {
      expect(page.total).toBe(10);
      seen.push(...page.results.map((r) => r.id));
      if (!page.next) break;
      expect(page.next.startsWith(`${PATH}?`)).toBe(true);
      const q = queryOfNext(page.next);
      expect(q).toMatchObject({ start: '100', end: '200', limit: '4', type: 'a,b' });
      expect(JSON.parse(q.search_after!)).toEqual(keyOf(page.results.at(-1)!));
      page = searchForm(rows, keyOf, req(q));
      hops += 1;
    }
    expect(hops).toBe(2);
    expect(seen).toEqual(rows.map((r) => r.id));
  });

  it('walks newest first when descending', () => {
    const first = searchForm(rows, keyOf, req({ limit: '3' }, { descending: true }));
    expect(first.results.map((r) => r.id)).toEqual(['r9', 'r8', 'r7']);
    const second = searchForm(rows, keyOf, req(queryOfNext(first.next!), { descending: true }));
    expect(second.results.map((r) => r.id)).toEqual(['r6', 'r5', 'r4']);
  });

  it('gives no `next` when the page is the last or empty', () => {
    expect(searchForm(rows, keyOf, req({ limit: '10' })).next).toBeUndefined();
    expect(searchForm([], keyOf, req({})).next).toBeUndefined();
    const past = searchForm(rows, keyOf, req({ search_after: JSON.stringify([5000, 'z']) }));
    expect(past.results).toEqual([]);
    expect(past.next).toBeUndefined();
  });

  it('treats an empty search_after as the first page', () => {
    expect(searchForm(rows, keyOf, req({ search_after: '' })).results[0]!.id).toBe('r0');
  });

  it.each(['oops', '{"a":1}', '[true]', '[[1]]'])('rejects search_after %j with a 400', (value) => {
    expect(() => searchForm(rows, keyOf, req({ search_after: value }))).toThrow(expect.objectContaining({ statusCode: 400 }));
  });

  it('loops: `next` repeats the cursor it was given, even on the last page', () => {
    const cursor = JSON.stringify([1003, 'r3']);
    const page = searchForm(rows, keyOf, req({ search_after: cursor }, { loop: true }));
    expect(page.results.map((r) => r.id)).toEqual(['r4', 'r5', 'r6', 'r7']);
    expect(queryOfNext(page.next!).search_after).toBe(cursor);
    const last = searchForm(rows, keyOf, req({ search_after: JSON.stringify([1007, 'r7']) }, { loop: true }));
    expect(last.results).toHaveLength(2);
    expect(last.next).toBeDefined();
  });
});

describe('RateLimiter', () => {
  it('allows `limit` calls per token per clock hour, then refuses without charging', () => {
    const rl = new RateLimiter(3);
    const t = NOW;
    expect([1, 2, 3].map(() => rl.take('a', t).ok)).toEqual([true, true, true]);
    const refused = rl.take('a', t + 10);
    expect(refused).toEqual({ ok: false, used: 3, limit: 3, resetIn: HOUR_START + 3600 - (t + 10) });
    rl.take('a', t + 20);
    expect(rl.usage('a', t + 30)).toEqual({ requests: 3, request_limit: 3, seconds: t + 30 - HOUR_START });
  });

  it('keeps separate budgets per token', () => {
    const rl = new RateLimiter(1);
    expect(rl.take('a', NOW).ok).toBe(true);
    expect(rl.take('a', NOW).ok).toBe(false);
    expect(rl.take('b', NOW)).toMatchObject({ ok: true, used: 1 });
  });

  it('starts a fresh budget at the top of the next hour, not an hour after the first call', () => {
    const rl = new RateLimiter(1);
    const lastSecond = HOUR_START + 3599;
    expect(rl.take('a', lastSecond).ok).toBe(true);
    expect(rl.take('a', lastSecond + 0.5)).toMatchObject({ ok: false, resetIn: 0.5 });
    expect(rl.take('a', HOUR_START + 3600)).toMatchObject({ ok: true, used: 1, resetIn: 3600 });
    expect(rl.usage('b', HOUR_START + 3600)).toEqual({ requests: 0, request_limit: 1, seconds: 0 });
  });
});

describe('tokenFingerprint and CallStats', () => {
  it('names a token by a short stable hash that does not contain it', () => {
    const fp = tokenFingerprint('secret-token-123');
    expect(fp).toMatch(/^[0-9a-f]{12}$/);
    expect(tokenFingerprint('secret-token-123')).toBe(fp);
    expect(tokenFingerprint('secret-token-124')).not.toBe(fp);
  });

  it('counts by route and fingerprint and resets to zero', () => {
    const c = new CallStats();
    c.record('/b', 'tok-one-xyz');
    c.record('/a', 'tok-one-xyz');
    c.record('/a', undefined);
    expect(c.toJSON()).toEqual({
      total: 3, rate_limited: 0, unauthorized: 0, faulted: 0,
      by_route: { '/a': 2, '/b': 1 }, by_token: { [tokenFingerprint('tok-one-xyz')]: 2 },
    });
    expect(Object.keys(c.toJSON().by_route as object)).toEqual(['/a', '/b']);
    c.reset();
    expect(c.toJSON()).toEqual({ total: 0, rate_limited: 0, unauthorized: 0, faulted: 0, by_route: {}, by_token: {} });
  });
});

describe('FaultBook', () => {
  const spec = (s: Record<string, unknown>): FaultSpec => FaultSpecSchema.parse(s);
  const T0 = 1_000_000;

  it('fills defaults and rejects unknown fields', () => {
    expect(spec({ kind: 'error' })).toEqual({ kind: 'error', rate: 1, latency_ms: 500, status: 503 });
    expect(FaultSpecSchema.safeParse({ kind: 'error', when: 'now' }).success).toBe(false);
    expect(FaultSpecSchema.safeParse({ kind: 'error', status: 429 }).success).toBe(false);
  });

  it('applies a counted fault that many times, then drops it', () => {
    const book = new FaultBook();
    book.add(spec({ kind: 'error', count: 2 }), T0);
    expect(book.draw('/api/v1/self', T0, ['error'])).toHaveLength(1);
    expect(book.list(T0)).toEqual([expect.objectContaining({ applied: 1, count: 2 })]);
    expect(book.draw('/api/v1/self', T0, ['error'])).toHaveLength(1);
    expect(book.draw('/api/v1/self', T0, ['error'])).toEqual([]);
    expect(book.list(T0)).toEqual([]);
  });

  it('expires a fault duration_seconds after it was added', () => {
    const book = new FaultBook();
    const f = book.add(spec({ kind: 'latency', duration_seconds: 10 }), T0);
    expect(f.expiresAt).toBe(T0 + 10_000);
    expect(book.draw('/x', T0 + 9_999, ['latency'])).toHaveLength(1);
    expect(book.draw('/x', T0 + 10_000, ['latency'])).toEqual([]);
    expect(book.list(T0 + 10_000)).toEqual([]);
  });

  it('hits only paths containing `match` and only the kinds asked for, without spending other uses', () => {
    const book = new FaultBook();
    book.add(spec({ kind: 'error', match: '/stats/ports/search', count: 1 }), T0);
    expect(book.draw('/api/v1/orgs/o/sites', T0, ['error'])).toEqual([]);
    expect(book.draw('/api/v1/orgs/o/stats/ports/search', T0, ['latency', 'hang'])).toEqual([]);
    expect(book.draw('/api/v1/orgs/o/stats/ports/search', T0, ['error'])).toHaveLength(1);
  });

  it('hits about `rate` of the calls, in the same sequence in every book', () => {
    const run = (): boolean[] => {
      const book = new FaultBook();
      book.add(spec({ kind: 'error', rate: 0.5 }), T0);
      return Array.from({ length: 1000 }, () => book.draw('/x', T0, ['error']).length === 1);
    };
    const hits = run();
    const n = hits.filter(Boolean).length;
    expect(n).toBeGreaterThan(400);
    expect(n).toBeLessThan(600);
    expect(run()).toEqual(hits);
    const never = new FaultBook();
    never.add(spec({ kind: 'error', rate: 0 }), T0);
    expect(Array.from({ length: 100 }, () => never.draw('/x', T0, ['error']).length).every((l) => l === 0)).toBe(true);
  });

  it('clear removes every fault and reports how many', () => {
    const book = new FaultBook();
    book.add(spec({ kind: 'hang' }), T0);
    book.add(spec({ kind: 'error' }), T0);
    expect(book.clear()).toBe(2);
    expect(book.list(T0)).toEqual([]);
  });
});
