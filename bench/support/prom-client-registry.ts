import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { FAMILY_CATALOGUES } from '../../src/families/registry.js';
import { counterSamples } from '../../src/metrics/exposition.js';
import type { FamilyCatalogue, MetricDef } from '../../src/metrics/types.js';
import type { Store } from '../../src/store/types.js';

/**
 * The same data as the exporter's family metrics, in a prom-client Registry: one Gauge/Counter per catalogue
 * metric with the catalogue's label names, set from the same stored records (validated with the same schemas)
 * and counter groups, plus prom-client's default process metrics (the exporter serves those too). What a prom-client exporter of
 * this data would hold between scrapes.
 */
export async function promClientRegistry(store: Store): Promise<{ registry: Registry; series: number }> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const keys = await store.listFamilies();
  let series = 0;
  for (const catalogue of FAMILY_CATALOGUES as unknown as readonly FamilyCatalogue<Record<string, unknown>>[]) {
    const rows: (Record<string, unknown> & { org_id: string })[] = [];
    for (const key of keys.filter((k) => k.family === catalogue.family)) {
      const snap = await store.readSnapshot(key);
      for (const raw of snap?.pages.flatMap((p) => JSON.parse(p) as unknown[]) ?? []) {
        const parsed = catalogue.schema.safeParse(raw);
        if (parsed.success) rows.push({ ...parsed.data, org_id: key.orgId });
      }
    }
    for (const group of catalogue.groups) {
      const selected = group.select ? rows.filter(group.select) : rows;
      // One labels object per record and label set, shared by the group's metrics (never mutated afterwards).
      const labels = selected.map((r) => {
        const values = group.labelValues(r);
        return Object.fromEntries(group.labels.map((name, i) => [name, values[i] ?? '']));
      });
      for (const metric of group.metrics as readonly MetricDef<Record<string, unknown> & { org_id: string }>[]) {
        const common = { name: metric.name, help: metric.help, labelNames: group.labels, registers: [registry] };
        const set = metric.type === 'counter'
          ? ((c) => (l: Record<string, string>, v: number) => c.inc(l, v))(new Counter(common))
          : ((g) => (l: Record<string, string>, v: number) => g.set(l, v))(new Gauge(common));
        for (let i = 0; i < selected.length; i++) {
          const v = metric.value(selected[i]!);
          if (v === null || v === undefined) continue;
          set(labels[i]!, typeof v === 'boolean' ? (v ? 1 : 0) : v);
          series += 1;
        }
      }
    }
    for (const def of catalogue.counters ?? []) {
      const counter = new Counter({ name: def.name, help: def.help, labelNames: def.labels, registers: [registry] });
      for (const sample of counterSamples(def, await store.readCounters(def.group))) {
        counter.inc(Object.fromEntries(def.labels.map((name, i) => [name, sample.labels[i] ?? ''])), sample.value);
        series += 1;
      }
    }
  }
  return { registry, series };
}
