import { describe, expect, it } from 'vitest';
import { runCycle, type CycleDeps } from '../../src/collect/cycle.js';
import { defaultFamilySettings, type Family, type FamilyContext } from '../../src/collect/family.js';
import { parseSiteTerms, type SiteFilter } from '../../src/collect/site-filter.js';
import { defineRecords } from '../../src/families/define-records.js';
import { sitesRecords } from '../../src/families/sites/records.js';
import { getSleThreshold, listSitegroups, listSites, searchGatewayPorts } from '../../src/mist/endpoints.js';
import type { Endpoint, MistApi, Page } from '../../src/mist/types.js';
import { encodeLabels } from '../../src/store/counters.js';
import { MemoryStore } from '../../src/store/memory.js';
import { z } from 'zod';
import { captureLog } from '../support/redis-store.js';

const ORG = 'org-1';
const S1 = '5b9e0c3a-0000-4000-8000-000000000001';
const S2 = '5b9e0c3a-0000-4000-8000-000000000002';
const S3 = '5b9e0c3a-0000-4000-8000-000000000003';
const G_WEST = 'group-west';
const G_LAB = 'group-lab';

/** Mist as the cycle sees it: rows by endpoint name; every call is recorded. */
function fakeApi(rows: Record<string, readonly unknown[]>): { api: MistApi; calls: string[] } {
  const calls: string[] = [];
  const api: MistApi = {
    async *pages<T>(endpoint: Endpoint<T>): AsyncGenerator<Page<T>> {
      calls.push(endpoint.name);
      yield { index: 0, records: (rows[endpoint.name] ?? []) as T[], dropped: {}, cursor: null };
    },
    async getOne<T>(endpoint: Endpoint<T>): Promise<T> {
      calls.push(endpoint.path);
      return {} as T;
    },
    count: () => Promise.resolve(0),
  };
  return { api, calls };
}

const MIST = {
  [listSitegroups(ORG).name]: [{ id: G_WEST, name: 'Region - West' }, { id: G_LAB, name: 'Lab' }],
  [listSites(ORG).name]: [
    { id: S1, name: 'Store 0001 Austin', sitegroup_ids: [G_WEST] },
    { id: S2, name: 'Store 0002 Boise', sitegroup_ids: [G_WEST, G_LAB] },
    { id: S3, name: 'DC1 Dallas', sitegroup_ids: [] },
  ],
  [searchGatewayPorts(ORG).name]: [
    { site_id: S1, mac: 'a1', port_id: 'ge-0/0/0' }, { site_id: S2, mac: 'a2', port_id: 'ge-0/0/0' },
    { site_id: S2, mac: 'a2', port_id: 'ge-0/0/1' }, { site_id: S3, mac: 'a3', port_id: 'ge-0/0/0' },
  ],
};

const filterOf = (include: string, exclude = ''): SiteFilter => ({ include: parseSiteTerms(include).terms, exclude: parseSiteTerms(exclude).terms });

function deps(store: MemoryStore, api: MistApi, siteFilter?: SiteFilter): CycleDeps {
  return { store, api, log: captureLog('warn').log, settings: defaultFamilySettings(), now: () => Date.now(), ...(siteFilter ? { siteFilter } : {}) };
}

const run = (d: CycleDeps, family: Family) => runCycle(d, family, ORG, 60, new AbortController().signal);

/** The sites family's walk, as it does it (site groups, then sites), mapped to minimal records. */
const sitesFamily: Family = {
  name: sitesRecords.name,
  defaultIntervalSeconds: 3600,
  priority: 'availability',
  callsPerCycle: () => 2,
  async *run(ctx: FamilyContext) {
    for await (const _ of ctx.api.pages(listSitegroups(ctx.orgId))) { /* the cycle hook reads the group names */ }
    for await (const page of ctx.api.pages(listSites(ctx.orgId))) yield { records: page.records.map((s) => ({ site_id: s.id, name: s.name })), dropped: {}, cursor: null };
  },
};

type Port = { site_id: string; mac: string; port_id: string };
const seen: Port[][] = [];
/** A port family that records what it saw, counts a flap per port (labels with site_id) and keeps its ports as state. */
const portsFamily: Family = {
  name: 'test-ports',
  defaultIntervalSeconds: 60,
  priority: 'availability',
  resumable: false,
  callsPerCycle: () => 1,
  async *run(ctx: FamilyContext) {
    for await (const page of ctx.api.pages(searchGatewayPorts(ctx.orgId))) {
      const rows = page.records as unknown as Port[];
      seen.push(rows);
      const flaps = Object.fromEntries(rows.map((p) => [encodeLabels({ org_id: ctx.orgId, site_id: p.site_id, mac: p.mac, port_id: p.port_id }), 1]));
      // A counter and a state entry for a site the rows never had (as if from an earlier snapshot): checked on the way out.
      flaps[encodeLabels({ org_id: ctx.orgId, site_id: S3, mac: 'old', port_id: 'x' })] = 1;
      yield { records: [...rows, { site_id: S3, mac: 'old', port_id: 'x' }], dropped: {}, cursor: null, counters: { flaps }, state: [{ kind: 'cursor' }, ...rows, { site_id: S3 }] };
    }
  },
};

const readStore = async (store: MemoryStore, family: string): Promise<unknown[]> =>
  ((await store.readSnapshot({ orgId: ORG, family }))?.pages ?? []).flatMap((p) => JSON.parse(p) as unknown[]);

describe('the site filter in the cycle', () => {
  it('leaves excluded sites out of the rows, records, counters and state, counted as filtered, not dropped', async () => {
    const store = new MemoryStore();
    const { api } = fakeApi(MIST);
    const d = deps(store, api, filterOf('group:region - west', 'group:Lab'));
    expect((await run(d, sitesFamily)).ok).toBe(true);
    seen.length = 0;
    const result = await run(d, portsFamily);
    expect(result.ok).toBe(true);
    // The family never saw S2's or S3's rows; only S1 (in the West, not in Lab) is kept.
    expect(seen).toEqual([[{ site_id: S1, mac: 'a1', port_id: 'ge-0/0/0' }]]);
    expect(await readStore(store, 'test-ports')).toEqual([{ site_id: S1, mac: 'a1', port_id: 'ge-0/0/0' }]);
    expect(Object.keys(await store.readCounters('flaps'))).toEqual([encodeLabels({ org_id: ORG, site_id: S1, mac: 'a1', port_id: 'ge-0/0/0' })]);
    expect(JSON.parse((await store.readState({ orgId: ORG, family: 'test-ports' }))!)).toEqual([{ kind: 'cursor' }, { site_id: S1, mac: 'a1', port_id: 'ge-0/0/0' }]);
    const meta = await store.readMeta({ orgId: ORG, family: 'test-ports' });
    // 3 rows of S2 and S3 in, the stale S3 record out.
    expect(meta).toMatchObject({ recordsKept: 1, recordsDropped: 0, recordsFiltered: 4 });
    expect(meta?.sitesIncluded).toBeUndefined();
    // The sites cycle saved the directory (every site, excluded too) and counted the sites.
    expect(await store.readMeta({ orgId: ORG, family: 'sites' })).toMatchObject({ recordsKept: 1, recordsFiltered: 2, sitesIncluded: 1, sitesExcluded: 2 });
    expect(JSON.parse((await store.readState({ orgId: ORG, family: 'sites' }))!)).toEqual({ site_directory: 1, sites: [
      { id: S1, name: 'Store 0001 Austin', groups: ['Region - West'] },
      { id: S2, name: 'Store 0002 Boise', groups: ['Lab', 'Region - West'] },
      { id: S3, name: 'DC1 Dallas', groups: [] },
    ] });
  });

  it('filters what a family reads from another family\'s snapshot, and refuses a per-site call for an excluded site', async () => {
    const store = new MemoryStore();
    const { api, calls } = fakeApi(MIST);
    const all = deps(store, api);
    expect((await run(all, sitesFamily)).ok).toBe(true);
    expect((await run(all, portsFamily)).ok).toBe(true);
    expect(await readStore(store, 'test-ports')).toHaveLength(5);
    const reader: Family = {
      name: 'test-reader', defaultIntervalSeconds: 60, priority: 'full', callsPerCycle: () => 0,
      async *run(ctx: FamilyContext) {
        const ports = (await ctx.readRecords(defineRecords('test-ports', z.object({ site_id: z.string() }).loose()))) ?? [];
        const refused = await ctx.api.getOne(getSleThreshold(S3, 'wan-link-health')).then(() => null, (e: unknown) => (e as { code?: string }).code);
        await ctx.api.getOne(getSleThreshold(S1, 'wan-link-health'));
        yield { records: ports.map((p) => ({ site_id: p.site_id, refused })), dropped: {}, cursor: null };
      },
    };
    calls.length = 0;
    const d = deps(store, api, filterOf(`id:${S1}`));
    expect((await run(d, reader)).ok).toBe(true);
    expect(await readStore(store, 'test-reader')).toEqual([{ site_id: S1, refused: 'E_SITE_FILTERED' }]);
    expect(calls).toEqual([getSleThreshold(S1, 'wan-link-health').path]);
    expect((await store.readMeta({ orgId: ORG, family: 'test-reader' }))?.recordsFiltered).toBe(4);
  });

  it('fails a cycle that needs the site directory before it exists, without calling Mist', async () => {
    const store = new MemoryStore();
    const { api, calls } = fakeApi(MIST);
    const result = await run(deps(store, api, filterOf('', 'name:DC*')), portsFamily);
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/^E_SITE_FILTER_NO_DIRECTORY: /);
    expect(calls).toEqual([]);
    // Id terms need no directory.
    expect((await run(deps(store, api, filterOf('', `id:${S3}`)), portsFamily)).ok).toBe(true);
    expect(await readStore(store, 'test-ports')).toHaveLength(3);
  });

  it('follows renames and moves from the next sites collection on, and holds back a site the directory does not know yet', async () => {
    const store = new MemoryStore();
    const rows: Record<string, unknown[]> = { ...MIST, [listSites(ORG).name]: [...MIST[listSites(ORG).name]!] };
    const { api } = fakeApi(rows);
    const d = deps(store, api, filterOf('', 'name:*Lab*,group:Lab'));
    expect((await run(d, sitesFamily)).ok).toBe(true);
    seen.length = 0;
    expect((await run(d, portsFamily)).ok).toBe(true);
    expect(seen[0]!.map((p) => p.site_id)).toEqual([S1, S3]);
    // S1 renamed into the Lab, S2 moved out of the Lab group, and a new site S4 not seen by a sites collection yet.
    const S4 = '5b9e0c3a-0000-4000-8000-000000000004';
    rows[listSites(ORG).name] = [
      { id: S1, name: 'Store 0001 Austin Lab', sitegroup_ids: [G_WEST] }, { id: S2, name: 'Store 0002 Boise', sitegroup_ids: [G_WEST] },
      { id: S3, name: 'DC1 Dallas', sitegroup_ids: [] },
    ];
    rows[searchGatewayPorts(ORG).name] = [...MIST[searchGatewayPorts(ORG).name]!, { site_id: S4, mac: 'a4', port_id: 'ge-0/0/0' }];
    seen.length = 0;
    expect((await run(d, portsFamily)).ok).toBe(true);
    expect(seen[0]!.map((p) => p.site_id)).toEqual([S1, S3]);
    // S2's two rows (still in the Lab by the directory) and S4's (unknown: held back).
    expect((await store.readMeta({ orgId: ORG, family: 'test-ports' }))?.recordsFiltered).toBe(3);
    expect((await run(d, sitesFamily)).ok).toBe(true);
    seen.length = 0;
    expect((await run(d, portsFamily)).ok).toBe(true);
    expect(seen[0]!.map((p) => p.site_id)).toEqual([S2, S2, S3]);
    expect(await store.readMeta({ orgId: ORG, family: sitesRecords.name })).toMatchObject({ sitesIncluded: 2, sitesExcluded: 1 });
  });

  it('changes nothing without a filter: every row, no filter metadata', async () => {
    const store = new MemoryStore();
    const { api } = fakeApi(MIST);
    expect((await run(deps(store, api), sitesFamily)).ok).toBe(true);
    expect((await run(deps(store, api), portsFamily)).ok).toBe(true);
    expect(await readStore(store, 'test-ports')).toHaveLength(5);
    expect(await store.readState({ orgId: ORG, family: 'sites' })).toBeNull();
    const meta = await store.readMeta({ orgId: ORG, family: 'sites' });
    expect(meta && 'recordsFiltered' in meta).toBe(false);
  });
});
