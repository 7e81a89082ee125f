import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { listSites, searchGatewayPorts } from '../../src/mist/endpoints.js';
import { decodeCursor, encodeCursor } from '../../src/mist/paginate.js';
import type { Endpoint } from '../../src/mist/types.js';
import { collect, fakeClient, json, ORG_ID, SITE_ID, type Route } from '../support/mist-fake.js';

const SITES = `/api/v1/orgs/${ORG_ID}/sites`;
const PORTS = `/api/v1/orgs/${ORG_ID}/stats/ports/search`;
const SLE = `/api/v1/orgs/${ORG_ID}/insights/sites-sle`;

const guid = (i: number): string => `00000000-0000-0000-0000-${i.toString(16).padStart(12, '0')}`;
const site = (i: number): Record<string, unknown> => ({ id: guid(i), name: `Site ${i}`, sitegroup_ids: [] });
const port = (i: number): Record<string, unknown> => ({ site_id: SITE_ID, mac: `5c45${i.toString(16).padStart(8, '0')}`, port_id: 'ge-0/0/0', type: 'gateway', port_usage: 'wan' });

/** Form A over `n` rows; `headers: false` leaves out X-Page-*. */
function formA(rows: unknown[], opts: { headers?: boolean; claimTotal?: number } = {}): Route {
  return (_req, { query }) => {
    const limit = Number(query.get('limit'));
    const page = Number(query.get('page'));
    const slice = rows.slice((page - 1) * limit, page * limit);
    const headers: Record<string, string> = opts.headers === false ? {} : { 'x-page-limit': String(limit), 'x-page-page': String(page), 'x-page-total': String(opts.claimTotal ?? rows.length) };
    return json(slice, 200, headers);
  };
}

/** Form B over `n` rows: `next` carries search_after = index of the last row, plus pinned start/end. */
function formB(rows: unknown[], opts: { loop?: boolean } = {}): Route {
  return (_req, { query }) => {
    const limit = Number(query.get('limit'));
    const after = query.get('search_after');
    const from = opts.loop ? 0 : after === null ? 0 : Number(JSON.parse(after)) + 1;
    const results = rows.slice(from, from + limit);
    const more = from + results.length < rows.length;
    const cursor = opts.loop ? '[0]' : JSON.stringify(from + results.length - 1);
    const next = more ? `${PORTS}?device_type=gateway&limit=${limit}&start=1&end=2&search_after=${encodeURIComponent(cursor)}` : undefined;
    return json({ start: 1, end: 2, limit, total: rows.length, ...(next ? { next } : {}), results });
  };
}

const sle: Endpoint<{ site_id: string }> = { name: 'sites_sle', path: SLE, query: { sle: 'wan' }, form: 'insights-body', limit: 2, schema: z.object({ site_id: z.string() }) };

describe('pagination form page-headers (X-Page-Total)', () => {
  it('walks ceil(total/limit) pages, each with the next cursor, the last with null', async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => site(i));
    const { client, transport } = await fakeClient({ [SITES]: formA(rows) });
    const pages = await collect(client.pages(listSites(ORG_ID)));
    expect(pages.map((p) => [p.index, p.records.length, p.cursor, p.total])).toEqual([
      [0, 1000, { page: 2 }, 2500], [1, 1000, { page: 3 }, 2500], [2, 500, null, 2500],
    ]);
    expect(transport.callsTo(SITES).map((c) => new URL(c.path, 'http://x').searchParams.get('limit'))).toEqual(['1000', '1000', '1000']);
  });

  it('without X-Page headers, stops at the first short page', async () => {
    const { client, transport } = await fakeClient({ [SITES]: formA(Array.from({ length: 2000 }, (_, i) => site(i)), { headers: false }) });
    const pages = await collect(client.pages(listSites(ORG_ID)));
    expect(pages.map((p) => p.records.length)).toEqual([1000, 1000, 0]);
    expect(transport.callsTo(SITES)).toHaveLength(3);
  });

  it('resumes from a page cursor', async () => {
    const { client, transport } = await fakeClient({ [SITES]: formA(Array.from({ length: 2500 }, (_, i) => site(i))) });
    const pages = await collect(client.pages(listSites(ORG_ID), { from: { page: 3 } }));
    expect(pages.map((p) => [p.index, p.records.length, p.cursor])).toEqual([[0, 500, null]]);
    expect(transport.callsTo(SITES)[0]?.path).toContain('page=3');
  });

  it('a server that repeats a page is a pagination loop, found on the second page', async () => {
    const { client, transport } = await fakeClient({ [SITES]: (_r, { query }) => json([site(1), site(2)], 200, { 'x-page-total': String(Number(query.get('page')) * 1000 + 1), 'x-page-limit': '1000' }) });
    await expect(collect(client.pages(listSites(ORG_ID)))).rejects.toMatchObject({ code: 'E_MIST_PAGINATION', message: expect.stringContaining('repeats the previous page') });
    expect(transport.callsTo(SITES)).toHaveLength(2);
  });

  it('a server that claims more pages than its first total announced is a runaway: stopped at ceil(total/limit)+2', async () => {
    // Page 1 announces 3 rows; later pages keep raising the total.
    const { client, transport } = await fakeClient({
      [SITES]: (_r, { query }) => {
        const page = Number(query.get('page'));
        return json([site(page)], 200, { 'x-page-total': String(page === 1 ? 3 : page * 10), 'x-page-limit': '1' });
      },
    });
    await expect(collect(client.pages({ ...listSites(ORG_ID), limit: 1 }))).rejects.toMatchObject({ code: 'E_MIST_PAGINATION', message: expect.stringContaining('runaway') });
    expect(transport.callsTo(SITES)).toHaveLength(5);
  });

  it('obeys the hard page cap when no total is announced', async () => {
    let n = 0;
    const { client, transport } = await fakeClient({ [SITES]: () => json([site(++n)]) }, { maxPages: 25 });
    await expect(collect(client.pages({ ...listSites(ORG_ID), limit: 1 }))).rejects.toMatchObject({ code: 'E_MIST_PAGINATION' });
    expect(transport.callsTo(SITES)).toHaveLength(25);
  });
});

describe('pagination form search-next', () => {
  it('follows the host-relative next until it is absent', async () => {
    const { client, transport } = await fakeClient({ [PORTS]: formB(Array.from({ length: 2300 }, (_, i) => port(i))) });
    const pages = await collect(client.pages(searchGatewayPorts(ORG_ID)));
    expect(pages.map((p) => p.records.length)).toEqual([1000, 1000, 300]);
    expect(pages[2]?.cursor).toBeNull();
    expect(pages[0]?.cursor).toEqual({ next: expect.stringContaining('search_after=') });
    const paths = transport.callsTo(PORTS).map((c) => c.path);
    expect(paths[0]).toBe(`${PORTS}?device_type=gateway&limit=1000`);
    expect(paths[1]).toBe((pages[0]?.cursor as { next: string }).next);
  });

  it('stops on an empty page even when a next is present', async () => {
    const { client, transport } = await fakeClient({ [PORTS]: () => json({ total: 5, limit: 1000, next: `${PORTS}?search_after=%5B9%5D`, results: [] }) });
    const pages = await collect(client.pages(searchGatewayPorts(ORG_ID)));
    expect(pages).toEqual([{ index: 0, records: [], dropped: {}, cursor: null, total: 5 }]);
    expect(transport.callsTo(PORTS)).toHaveLength(1);
  });

  it('a next seen before is a pagination loop, not an endless walk', async () => {
    const { client, transport } = await fakeClient({ [PORTS]: formB(Array.from({ length: 1500 }, (_, i) => port(i)), { loop: true }) });
    await expect(collect(client.pages(searchGatewayPorts(ORG_ID)))).rejects.toMatchObject({ code: 'E_MIST_PAGINATION', message: expect.stringContaining('loop') });
    expect(transport.callsTo(PORTS)).toHaveLength(2);
  });

  it('refuses a next that points to another host', async () => {
    const { client, transport } = await fakeClient({ [PORTS]: () => json({ total: 2, limit: 1, next: 'https://evil.example/api/v1/x', results: [port(1)] }) });
    await expect(collect(client.pages(searchGatewayPorts(ORG_ID)))).rejects.toMatchObject({ code: 'E_MIST_PAGINATION' });
    expect(transport.calls.filter((c) => c.path.includes('evil'))).toEqual([]);
  });

  it('resumes from a next cursor, and rejects a page cursor', async () => {
    const { client, transport } = await fakeClient({ [PORTS]: formB(Array.from({ length: 2300 }, (_, i) => port(i))) });
    const next = `${PORTS}?device_type=gateway&limit=1000&start=1&end=2&search_after=${encodeURIComponent('1999')}`;
    const pages = await collect(client.pages(searchGatewayPorts(ORG_ID), { from: { next } }));
    expect(pages.map((p) => p.records.length)).toEqual([300]);
    expect(transport.callsTo(PORTS)[0]?.path).toBe(next);
    await expect(collect(client.pages(searchGatewayPorts(ORG_ID), { from: { page: 2 } }))).rejects.toMatchObject({ code: 'E_MIST_PAGINATION' });
  });

  it('a body without results is E_MIST_BAD_RESPONSE', async () => {
    const { client } = await fakeClient({ [PORTS]: () => json({ total: 1 }) });
    await expect(collect(client.pages(searchGatewayPorts(ORG_ID)))).rejects.toMatchObject({ code: 'E_MIST_BAD_RESPONSE' });
  });
});

describe('pagination form insights-body', () => {
  it('walks while page × limit < total, reading page/limit/total from the body', async () => {
    const rows = Array.from({ length: 5 }, (_, i) => ({ site_id: `s${i}` }));
    const { client, transport } = await fakeClient({
      [SLE]: (_r, { query }) => {
        const page = Number(query.get('page'));
        return json({ start: 1, end: 2, interval: 3600, page, limit: 2, total: rows.length, results: rows.slice((page - 1) * 2, page * 2) });
      },
    });
    const pages = await collect(client.pages(sle));
    expect(pages.map((p) => [p.records.length, p.cursor])).toEqual([[2, { page: 2 }], [2, { page: 3 }], [1, null]]);
    expect(transport.callsTo(SLE)[0]?.path).toBe(`${SLE}?sle=wan&limit=2&page=1`);
  });
});

describe('records, counts and cursors', () => {
  it('drops a malformed record and keeps its page-mates', async () => {
    const { client, logs } = await fakeClient({ [SITES]: formA([site(1), { ...site(2), id: 12 }, site(3)]) });
    const [page] = await collect(client.pages(listSites(ORG_ID)));
    expect(page?.records.map((r) => r.name)).toEqual(['Site 1', 'Site 3']);
    expect(page?.dropped).toEqual({ 'id: Invalid input: expected string, received number': 1 });
    expect(logs.text()).toContain('dropped');
  });

  it('counts a collection with one limit=1 call, in every paginated form', async () => {
    const { client, transport } = await fakeClient({
      [SITES]: formA(Array.from({ length: 3208 }, (_, i) => site(i))),
      [PORTS]: formB(Array.from({ length: 14008 }, (_, i) => port(i))),
    });
    await expect(client.count(listSites(ORG_ID))).resolves.toBe(3208);
    await expect(client.count(searchGatewayPorts(ORG_ID))).resolves.toBe(14008);
    expect([...transport.callsTo(SITES), ...transport.callsTo(PORTS)].map((c) => new URL(c.path, 'http://x').searchParams.get('limit'))).toEqual(['1', '1']);
  });

  it('encodes cursors as text for the store and reads them back; garbage is E_MIST_PAGINATION', () => {
    for (const c of [{ page: 4 }, { next: '/api/v1/x?search_after=%5B1%5D' }, null]) expect(decodeCursor(encodeCursor(c))).toEqual(c);
    expect(() => decodeCursor('{"page":0}')).toThrow(expect.objectContaining({ code: 'E_MIST_PAGINATION' }));
    expect(() => decodeCursor('nope')).toThrow(expect.objectContaining({ code: 'E_MIST_PAGINATION' }));
  });
});
