import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FAMILY_CATALOGUES } from '../../src/families/registry.js';
import { catalogueEntries, SELF_FAMILY } from '../../src/metrics/catalogue/index.js';
import { renderMetricsDoc } from '../../src/metrics/docs.js';

const DOC = new URL('../../docs/metrics.md', import.meta.url);

describe('docs/metrics.md (generated from the catalogue)', () => {
  const rendered = renderMetricsDoc();

  it('is up to date with the catalogue (CI check)', () => {
    const onDisk = readFileSync(DOC, 'utf8');
    // Not toBe(): a diff of the whole file is noise; say what to do.
    expect(onDisk === rendered, 'docs/metrics.md is out of date with src/metrics/catalogue: run `npm run docs:metrics` and commit the result').toBe(true);
  });

  it('has one table row per catalogue metric, with its type, unit, labels and help', () => {
    const rows = rendered.split('\n').filter((l) => l.startsWith('| `mist_'));
    const entries = catalogueEntries();
    expect(rows).toHaveLength(entries.length);
    for (const e of entries) {
      const row = rows.find((r) => r.startsWith(`| \`${e.name}\` |`));
      expect(row, e.name).toBeDefined();
      const labels = e.labels.length === 0 ? '—' : e.labels.map((l) => `\`${l}\``).join(', ');
      expect(row).toBe(`| \`${e.name}\` | ${e.type} | ${e.unit} | ${labels} | ${e.help.replace(/\|/g, '\\|')} |`);
    }
  });

  it('has a section per family, in exposition order, with the self-metrics last', () => {
    const sections = [...rendered.matchAll(/^## Family `([^`]+)`$/gm)].map((m) => m[1]);
    expect(sections).toEqual([...FAMILY_CATALOGUES.map((c) => c.family), SELF_FAMILY]);
  });

  it('explains where values come from, caching, the process_/nodejs_ defaults and ?family= sharding', () => {
    expect(rendered).toMatch(/never calls Mist/);
    expect(rendered).toMatch(/cached/i);
    expect(rendered).toMatch(/`process_\*`/);
    expect(rendered).toMatch(/`nodejs_\*`/);
    expect(rendered).toMatch(/\/metrics\?family=/);
  });
});
