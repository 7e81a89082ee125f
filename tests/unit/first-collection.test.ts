import { describe, expect, it } from 'vitest';
import { FirstCollection, formatFirstCollection, formatProgress, type FirstProgress } from '../../src/collect/first-collection.js';
import type { CycleResult } from '../../src/collect/cycle.js';
import type { Family } from '../../src/collect/family.js';
import { FAMILY_NAMES } from '../../src/families/registry.js';

const ORG = '7a6d6dfc-ecf8-4f5e-85b1-fdff201c2f47';
const job = (name: string, orgId = ORG) => ({ family: { name } as Family, orgId });
const result = (records: number, durationMs: number, extra: Partial<CycleResult> = {}): CycleResult => ({
  ok: true, generation: 'g', pages: 1, recordsKept: records, recordsDropped: 0, resumed: false, durationMs, ...extra,
});

describe('FirstCollection', () => {
  it('reports each job\'s first cycle once, ignores aborted and later cycles, and sums up when all are done', async () => {
    let now = 10_000;
    const progress: FirstProgress[] = [];
    const [a, b] = FAMILY_NAMES;
    const first = new FirstCollection([job(a!), job(b!)], () => now, (p) => progress.push(p));
    first.observe(job(a!), result(0, 50, { ok: false, aborted: true }));
    now = 11_000;
    first.observe(job(a!), result(3208, 1000));
    first.observe(job(a!), result(9999, 10));
    now = 14_000;
    first.observe(job(b!), result(0, 2500, { ok: false, error: 'HTTP 503' }));
    expect(progress.map((p) => [p.done, p.total, p.cycle.family, p.cycle.ok])).toEqual([[1, 2, a, true], [2, 2, b, false]]);
    const summary = await first.done;
    expect(summary).toMatchObject({ total: 2, records: 3208, startedAt: 10_000, elapsedMs: 4000, orgs: 1 });
    expect(summary.failed.map((c) => [c.family, c.error])).toEqual([[b, 'HTTP 503']]);
  });

  it('watch() chains onto the scheduler\'s own hook', () => {
    const seen: string[] = [];
    const first = new FirstCollection([job('x')], () => 0, () => seen.push('progress'));
    const deps = first.watch({ onCycle: () => seen.push('own') } as unknown as Parameters<FirstCollection['watch']>[0]);
    deps.onCycle?.({ ...job('x'), intervalSeconds: 60 }, result(1, 1));
    expect(seen).toEqual(['own', 'progress']);
  });
});

describe('what the person starting the collector reads', () => {
  const summary = { total: 10, cycles: [], failed: [], records: 66_751, startedAt: 0, elapsedMs: 8_130, orgs: 1 };

  it('one line per family as its first cycle ends', () => {
    expect(formatProgress({ done: 3, total: 10, cycle: { family: 'gateways', orgId: ORG, ok: true, records: 3208, durationMs: 1234 } }))
      .toBe('first collection 3/10 families: gateways, 3,208 records in 1.2 s');
    expect(formatProgress({ done: 1, total: 10, cycle: { family: 'org', orgId: ORG, ok: true, records: 1, durationMs: 20 } }))
      .toBe('first collection 1/10 families: org, 1 record in 0.0 s');
    expect(formatProgress({ done: 7, total: 10, cycle: { family: 'sle', orgId: ORG, ok: false, records: 0, durationMs: 2500, error: 'HTTP 503' } }))
      .toBe('first collection 7/10 families: sle, failed after 2.5 s: HTTP 503 (retried on its interval)');
    expect(formatProgress({ done: 3, total: 20, cycle: { family: 'sites', orgId: 'o2', ok: true, records: 5, durationMs: 100 } }, 2))
      .toBe('first collection 3/20 family cycles: sites (org o2), 5 records in 0.1 s');
  });

  it('the whole first collection in one line: series when the exporter counted them, else records; failures named', () => {
    expect(formatFirstCollection(summary, 348_296)).toBe('collected 10 families, 348,296 series in 8.1 s');
    expect(formatFirstCollection(summary)).toBe('collected 10 families, 66,751 records in 8.1 s');
    const failed = { family: 'sle', orgId: ORG, ok: false, records: 0, durationMs: 1 };
    expect(formatFirstCollection({ ...summary, failed: [failed] }, 1))
      .toBe('collected 9 of 10 families, 1 series in 8.1 s; failed: sle (retried on their interval)');
    expect(formatFirstCollection({ ...summary, total: 20, orgs: 2 })).toBe('collected 20 family cycles, 66,751 records in 8.1 s');
  });
});
