import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { renderFamily } from '../../src/metrics/exposition.js';
import type { FamilyCatalogue } from '../../src/metrics/types.js';

/** renderFamily against a small catalogue of its own, so each behaviour is visible in a few lines. */
const Rec = z.object({ id: z.string(), name: z.string(), a: z.number().nullable(), b: z.boolean().nullable(), c: z.number().nullable().optional() });
type Rec = z.infer<typeof Rec>;

/** Records validated so far: shows how far a render has got. */
let validated = 0;
const catalogue: FamilyCatalogue<Rec> = {
  family: 'test',
  schema: Rec.refine(() => ++validated > 0),
  groups: [
    { labels: ['org_id', 'id', 'name'], labelValues: (r) => [r.org_id, r.id, r.name],
      metrics: [{ name: 'mist_test_info', type: 'gauge', unit: 'info', help: 'Info.', value: () => 1 }] },
    { labels: ['org_id', 'id'], labelValues: (r) => [r.org_id, r.id],
      metrics: [
        { name: 'mist_test_a_seconds', type: 'gauge', unit: 'seconds', help: 'A.', value: (r) => r.a },
        { name: 'mist_test_b', type: 'gauge', unit: 'boolean', help: 'B.', value: (r) => r.b },
        { name: 'mist_test_c_total', type: 'counter', unit: 'count', help: 'C.', value: (r) => r.c },
      ] },
  ],
};
const rec = (id: string, over: Partial<Rec> = {}): Rec => ({ id, name: `n-${id}`, a: 1, b: true, ...over });

describe('renderFamily', () => {
  it('writes each metric\'s series contiguously under one HELP/TYPE, in catalogue then record order, across orgs', async () => {
    const out = await renderFamily(catalogue, [{ orgId: 'o1', records: [rec('x'), rec('y', { a: 2.5, b: false })] }, { orgId: 'o2', records: [rec('x', { c: 7 })] }]);
    expect(out.text).toBe([
      '# HELP mist_test_info Info.', '# TYPE mist_test_info gauge',
      'mist_test_info{org_id="o1",id="x",name="n-x"} 1', 'mist_test_info{org_id="o1",id="y",name="n-y"} 1', 'mist_test_info{org_id="o2",id="x",name="n-x"} 1',
      '# HELP mist_test_a_seconds A.', '# TYPE mist_test_a_seconds gauge',
      'mist_test_a_seconds{org_id="o1",id="x"} 1', 'mist_test_a_seconds{org_id="o1",id="y"} 2.5', 'mist_test_a_seconds{org_id="o2",id="x"} 1',
      '# HELP mist_test_b B.', '# TYPE mist_test_b gauge',
      'mist_test_b{org_id="o1",id="x"} 1', 'mist_test_b{org_id="o1",id="y"} 0', 'mist_test_b{org_id="o2",id="x"} 1',
      '# HELP mist_test_c_total C.', '# TYPE mist_test_c_total counter',
      'mist_test_c_total{org_id="o2",id="x"} 7', '',
    ].join('\n'));
    expect(out).toMatchObject({ series: 10, invalid: 0 });
  });

  it('labels records with the org they were stored under, whatever org_id the record claims', async () => {
    const out = await renderFamily(catalogue, [{ orgId: 'real', records: [{ ...rec('x'), org_id: 'forged' }] }]);
    expect(out.text).toContain('mist_test_info{org_id="real",id="x"');
    expect(out.text).not.toContain('forged');
  });

  it('gives no sample for null or undefined values: unknown is absent, never 0', async () => {
    const out = await renderFamily(catalogue, [{ orgId: 'o', records: [rec('x', { a: null, b: null }), rec('y', { a: 0, b: false, c: 0 })] }]);
    const lines = out.text.split('\n');
    expect(lines.filter((l) => l.startsWith('mist_test_a_seconds{'))).toEqual(['mist_test_a_seconds{org_id="o",id="y"} 0']);
    expect(lines.filter((l) => l.startsWith('mist_test_b{'))).toEqual(['mist_test_b{org_id="o",id="y"} 0']);
    expect(lines.filter((l) => l.startsWith('mist_test_c_total{'))).toEqual(['mist_test_c_total{org_id="o",id="y"} 0']);
  });

  it('omits a metric without samples entirely (no HELP or TYPE)', async () => {
    const out = await renderFamily(catalogue, [{ orgId: 'o', records: [rec('x', { a: null })] }]);
    expect(out.text).not.toContain('mist_test_a_seconds');
    expect(out.text).not.toContain('mist_test_c_total');
    expect(out.text).toContain('# TYPE mist_test_b gauge\n');
    expect(out.series).toBe(2);
  });

  it('skips and counts invalid records and renders the valid ones', async () => {
    const bad = [null, 42, 'x', {}, { ...rec('w'), a: '1' }, { ...rec('v'), b: 'yes' }, { id: 'u', a: 1, b: true }];
    const out = await renderFamily(catalogue, [{ orgId: 'o', records: [rec('x'), ...bad, rec('y')] }, { orgId: 'p', records: [{ id: 1 }] }]);
    expect(out.invalid).toBe(bad.length + 1);
    expect(out.text.split('\n').filter((l) => l.startsWith('mist_test_info{')).map((l) => l.match(/,id="(\w)"/)![1])).toEqual(['x', 'y']);
  });

  it('treats a non-finite number as an invalid record (stored JSON cannot carry one; the schema rejects it)', async () => {
    const out = await renderFamily(catalogue, [{ orgId: 'o', records: [rec('x', { a: Number.NaN }), rec('y', { a: Infinity }), rec('z')] }]);
    expect(out.invalid).toBe(2);
    expect(out.text).not.toMatch(/ (NaN|[+-]?Inf)\n/);
    expect(out.text).toContain('mist_test_a_seconds{org_id="o",id="z"} 1\n');
  });

  it('renders nothing for no records', async () => {
    expect(await renderFamily(catalogue, [])).toEqual({ text: '', series: 0, invalid: 0, duplicates: 0 });
    expect(await renderFamily(catalogue, [{ orgId: 'o', records: [] }])).toEqual({ text: '', series: 0, invalid: 0, duplicates: 0 });
  });

  it('escapes label values and writes small floats and big integers exactly', async () => {
    const out = await renderFamily(catalogue, [{ orgId: 'o', records: [rec('x', { name: 'a"b\\c\nd ☃', a: 1e-7, c: 2 ** 33 })] }]);
    expect(out.text).toContain('mist_test_info{org_id="o",id="x",name="a\\"b\\\\c\\nd ☃"} 1\n');
    expect(out.text).toContain('mist_test_a_seconds{org_id="o",id="x"} 1e-7\n');
    expect(out.text).toContain('mist_test_c_total{org_id="o",id="x"} 8589934592\n');
  });
});
