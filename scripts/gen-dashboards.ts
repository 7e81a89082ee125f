import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { DocMarkersError, renderDashboardsDoc, spliceDashboardsDoc } from '../src/dashboards/docs.js';
import { generateDashboards, renderDashboards } from '../src/dashboards/index.js';
import { KpiConfigError, loadKpiConfig } from '../src/rules/index.js';

/**
 * `npm run dashboards`: regenerates grafana/dashboards/*.json from src/dashboards, coloured with the thresholds of
 * prometheus/kpi-config.yml (the same config the rules are generated from), and the generated part of
 * docs/dashboards.md (between its markers: each dashboard, its questions, panels and links in and out).
 *   --config FILE  another KPI config; --out DIR  write there instead of grafana/dashboards/;
 *   --docs FILE    the dashboards doc to update (default docs/dashboards.md);
 *   --check        write nothing, exit 1 when a generated file or the doc differs from what is on disk (CI).
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: {
  config: { type: 'string', default: join(root, 'prometheus/kpi-config.yml') },
  out: { type: 'string', default: join(root, 'grafana/dashboards') },
  docs: { type: 'string', default: join(root, 'docs/dashboards.md') },
  check: { type: 'boolean', default: false },
} });

try {
  const kpi = loadKpiConfig(values.config!);
  const files = renderDashboards(kpi);
  const out = resolve(values.out!);
  const docsPath = resolve(values.docs!);
  const docsOnDisk = existsSync(docsPath) ? readFileSync(docsPath, 'utf8') : '';
  const docs = spliceDashboardsDoc(docsOnDisk, renderDashboardsDoc(generateDashboards(kpi)));
  const stale = existsSync(out) ? readdirSync(out).filter((f) => f.endsWith('.json') && !files.has(f)) : [];
  if (values.check) {
    const differ = [...files].filter(([f, text]) => !existsSync(join(out, f)) || readFileSync(join(out, f), 'utf8') !== text).map(([f]) => f);
    const problems = [...differ.map((f) => `${f} differs from what the generator makes`), ...stale.map((f) => `${f} is not generated any more`),
      ...(docs === docsOnDisk ? [] : [`${docsPath} (its generated part) differs from what the generator makes`])];
    if (problems.length > 0) {
      process.stderr.write(`${problems.join('\n')}\nrun: npm run dashboards\n`);
      process.exit(1);
    }
    process.stdout.write(`${files.size} generated dashboards and the dashboards doc are current\n`);
  } else {
    mkdirSync(out, { recursive: true });
    for (const f of stale) rmSync(join(out, f));
    for (const [f, text] of files) writeFileSync(join(out, f), text);
    writeFileSync(docsPath, docs);
    process.stdout.write(`wrote ${files.size} dashboards under ${out}${stale.length ? `, removed ${stale.join(', ')}` : ''}; updated ${docsPath}\n`);
  }
} catch (err) {
  if (err instanceof KpiConfigError || err instanceof DocMarkersError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
