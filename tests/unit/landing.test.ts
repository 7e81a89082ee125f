import { describe, expect, it } from 'vitest';
import { FAMILY_NAMES } from '../../src/families/registry.js';
import type { MetaView, StoreState } from '../../src/server/exposition-cache.js';
import { landingPage } from '../../src/server/landing.js';
import { orgNamesFromExposition } from '../../src/server/landing-orgs.js';
import { findProblems } from '../../src/server/landing-problems.js';
import type { FamilyMeta } from '../../src/store/types.js';

const NOW = Date.UTC(2026, 11, 2, 10, 30);
const ORG_A = '11111111-1111-4111-8111-111111111111';
const ORG_B = '22222222-2222-4222-8222-222222222222';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const [FAST, SLOW] = FAMILY_NAMES;

function meta(family: string, orgId: string, lastSuccessAgoS: number, intervalSeconds: number, extra: Partial<FamilyMeta> = {}): MetaView {
  const lastSuccess = NOW - lastSuccessAgoS * 1000;
  return {
    key: { orgId, family },
    meta: { generation: 'g', lastAttempt: lastSuccess, lastSuccess, durationMs: 10, recordsKept: 5, recordsDropped: 0, pages: 1, calls: 1,
      lastError: null, intervalSeconds, counterDeltas: null, uncountedGapSeconds: null, ...extra },
    expiresAt: lastSuccess + 3 * intervalSeconds * 1000,
  };
}

const usage = (agoS: number, used = 100) => ({ fingerprint: 'abc123def456', used, limit: 5000, coolingUntil: 0, at: NOW - agoS * 1000 });
const state = (metas: MetaView[], extra: Partial<StoreState> = {}): StoreState => ({ up: true, lastRefresh: NOW - 2000, metas, usage: [usage(5)], counters: {}, ...extra });
const names = new Map([[ORG_A, 'Acme Retail'], [ORG_B, 'Beta Stores']]);
const problemsOf = (s: StoreState, several = false) => findProblems({ state: s, now: NOW, orgName: (id) => names.get(id) ?? id, severalOrgs: several }).map((p) => `${p.severity}: ${p.text}`);

describe('findProblems: what is wrong, in words a NOC acts on', () => {
  it('nothing when every family is fresh, the store readable and the collector reporting', () => {
    expect(problemsOf(state([meta(FAST!, ORG_A, 30, 60), meta(SLOW!, ORG_A, 600, 3600)]))).toEqual([]);
  });

  it('a family not collected for over two intervals is stale; past three it has expired and is no longer served', () => {
    expect(problemsOf(state([meta(FAST!, ORG_A, 130, 60), meta(SLOW!, ORG_A, 200, 60)]))).toEqual([
      `critical: ${SLOW} data has expired: last collected 3 min ago (collected every 60 s), so its series are no longer served. Is the collector running?`,
      `warning: ${FAST} is stale: last collected 2 min ago (collected every 60 s).`,
    ]);
  });

  it('nothing collected yet, and no collector reporting: both said, with what to check', () => {
    expect(problemsOf(state([], { usage: [] }))).toEqual([
      'warning: Nothing has been collected yet: no family has data in the store. A collector must be running (with a Mist API token) against the same Redis and STORE_KEY_PREFIX; the first collection takes under a minute.',
    ]);
    expect(problemsOf(state([meta(FAST!, ORG_A, 30, 60)], { usage: [usage(600)] }))).toEqual([
      'warning: No collector has reported its API budget since 10 min ago: no collector seems active (it reports every 10 s), so families will go stale.',
    ]);
  });

  it('with several orgs, each sentence names the org by name', () => {
    expect(problemsOf(state([meta(FAST!, ORG_A, 30, 60), meta(FAST!, ORG_B, 130, 60)]), true)).toEqual([
      `warning: ${FAST} (org Beta Stores) is stale: last collected 2 min ago (collected every 60 s).`,
    ]);
  });

  it('a budget used up in an earlier hour is no problem now', () => {
    const earlier = { ...usage(3600, 4900) };
    expect(problemsOf(state([meta(FAST!, ORG_A, 30, 60)], { usage: [usage(5), earlier] }))).toEqual([]);
  });
});

describe('org names', () => {
  it('are read from mist_org_info as served, escapes undone', () => {
    const text = '# HELP mist_org_info x\n# TYPE mist_org_info gauge\n' +
      `mist_org_info{org_id="${ORG_A}",org_name="Acme \\"West\\" \\\\ Co"} 1\nmist_org_info{org_id="${ORG_B}",org_name=""} 1\n`;
    expect([...orgNamesFromExposition(text)]).toEqual([[ORG_A, 'Acme "West" \\ Co']]);
  });

  it('the page shows orgs by name (the id only in a tooltip), and says "org <id>" only before the name is known', () => {
    const html = landingPage({
      state: state([meta(FAST!, ORG_A, 30, 60), meta(FAST!, ORG_B, 30, 60)]), families: [{ family: FAST!, series: 10 }],
      version: 'test', now: NOW, orgNames: new Map([[ORG_A, 'Acme Retail']]),
    });
    const visible = html.replace(/<[^>]*>/g, ' ');
    expect(html).toContain(`<td><span title="${ORG_A}">Acme Retail</span></td>`);
    expect(visible).toContain(`org ${ORG_B}`);
    expect(visible.replaceAll(`org ${ORG_B}`, '')).not.toMatch(UUID);
    expect(html).toMatch(/<h1>Acme Retail, org 2{8}-/);
  });
});
