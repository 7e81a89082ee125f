import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { renderDashboards } from '../src/dashboards/index.js';
import { KpiConfigError, loadKpiConfig } from '../src/rules/index.js';

/**
 * `npm run dashboards`: regenerates grafana/dashboards/*.json from src/dashboards, coloured with the thresholds of
 * prometheus/kpi-config.yml (the same config the rules are generated from).
 *   --config FILE  another KPI config; --out DIR  write there instead of grafana/dashboards/;
 *   --check        write nothing, exit 1 when a generated file differs from what is on disk (CI).
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: {
  config: { type: 'string', default: join(root, 'prometheus/kpi-config.yml') },
  out: { type: 'string', default: join(root, 'grafana/dashboards') },
  check: { type: 'boolean', default: false },
} });

try {
  const files = renderDashboards(loadKpiConfig(values.config!));
  const out = resolve(values.out!);
  const stale = existsSync(out) ? readdirSync(out).filter((f) => f.endsWith('.json') && !files.has(f)) : [];
  if (values.check) {
    const differ = [...files].filter(([f, text]) => !existsSync(join(out, f)) || readFileSync(join(out, f), 'utf8') !== text).map(([f]) => f);
    const problems = [...differ.map((f) => `${f} differs from what the generator makes`), ...stale.map((f) => `${f} is not generated any more`)];
    if (problems.length > 0) {
      process.stderr.write(`${problems.join('\n')}\nrun: npm run dashboards\n`);
      process.exit(1);
    }
    process.stdout.write(`${files.size} generated dashboards are current\n`);
  } else {
    mkdirSync(out, { recursive: true });
    for (const f of stale) rmSync(join(out, f));
    for (const [f, text] of files) writeFileSync(join(out, f), text);
    process.stdout.write(`wrote ${files.size} dashboards under ${out}${stale.length ? `, removed ${stale.join(', ')}` : ''}\n`);
  }
} catch (err) {
  if (err instanceof KpiConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
