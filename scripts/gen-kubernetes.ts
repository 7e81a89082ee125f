import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { KpiConfigError, loadKpiConfig, renderRuleFiles } from '../src/rules/index.js';
import { dashboardConfigMaps, generatedFiles, prometheusRules, sizeProblems } from './kubernetes-manifests.js';

/**
 * `npm run kubernetes`: regenerates deploy/kubernetes/generated/ — PrometheusRules from the rule generator (the
 * same rules as prometheus/rules and prometheus/alerts, from prometheus/kpi-config.yml) and dashboard ConfigMaps
 * from grafana/dashboards/*.json (run `npm run dashboards` first when those change).
 *   --config FILE  another KPI config; --check  write nothing, exit 1 when a file differs from what is on disk (CI).
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: {
  config: { type: 'string', default: join(root, 'prometheus/kpi-config.yml') },
  check: { type: 'boolean', default: false },
} });
const out = join(root, 'deploy/kubernetes');

try {
  const rules = renderRuleFiles(loadKpiConfig(values.config!));
  const dir = join(root, 'grafana/dashboards');
  const dashboards = new Map(readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
  const tooBig = sizeProblems([...prometheusRules(rules), ...dashboardConfigMaps(dashboards)]);
  if (tooBig.length > 0) {
    process.stderr.write(`${tooBig.join('\n')}\n`);
    process.exit(1);
  }
  const files = generatedFiles(rules, dashboards);
  if (values.check) {
    const differ = [...files].filter(([p, text]) => !existsSync(join(out, p)) || readFileSync(join(out, p), 'utf8') !== text).map(([p]) => p);
    if (differ.length > 0) {
      process.stderr.write(`${differ.map((p) => `deploy/kubernetes/${p} differs from what the generator makes`).join('\n')}\nrun: npm run kubernetes\n`);
      process.exit(1);
    }
    process.stdout.write(`${files.size} generated Kubernetes manifests are current (${rules.size} rule files, ${dashboards.size} dashboards)\n`);
  } else {
    for (const [p, text] of files) {
      mkdirSync(dirname(join(out, p)), { recursive: true });
      writeFileSync(join(out, p), text);
    }
    process.stdout.write(`wrote ${[...files.keys()].map((p) => `deploy/kubernetes/${p}`).join(', ')} (${rules.size} rule files, ${dashboards.size} dashboards)\n`);
  }
} catch (err) {
  if (err instanceof KpiConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
