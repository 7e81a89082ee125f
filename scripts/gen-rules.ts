import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { KpiConfigError, loadKpiConfig, renderRuleFiles } from '../src/rules/index.js';

/**
 * `npm run rules`: regenerates prometheus/rules/*.yml and prometheus/alerts/*.yml from prometheus/kpi-config.yml.
 *   --config FILE  another config (e.g. your own thresholds); --out DIR  write there instead of prometheus/;
 *   --check        write nothing, exit 1 when a generated file differs from what is on disk (CI).
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: {
  config: { type: 'string', default: join(root, 'prometheus/kpi-config.yml') },
  out: { type: 'string', default: join(root, 'prometheus') },
  check: { type: 'boolean', default: false },
} });
const GENERATED_DIRS = ['rules', 'alerts'];

try {
  const files = renderRuleFiles(loadKpiConfig(values.config!));
  const out = resolve(values.out!);
  const stale = GENERATED_DIRS.flatMap((d) => existsSync(join(out, d))
    ? readdirSync(join(out, d)).filter((f) => f.endsWith('.yml')).map((f) => `${d}/${f}`) : [])
    .filter((p) => !files.has(p));
  if (values.check) {
    const differ = [...files].filter(([p, text]) => !existsSync(join(out, p)) || readFileSync(join(out, p), 'utf8') !== text).map(([p]) => p);
    const problems = [...differ.map((p) => `${p} differs from what the generator makes`), ...stale.map((p) => `${p} is not generated any more`)];
    if (problems.length > 0) {
      process.stderr.write(`${problems.join('\n')}\nrun: npm run rules\n`);
      process.exit(1);
    }
    process.stdout.write(`${files.size} generated rule files are current\n`);
  } else {
    for (const p of stale) rmSync(join(out, p));
    for (const [p, text] of files) {
      mkdirSync(dirname(join(out, p)), { recursive: true });
      writeFileSync(join(out, p), text);
    }
    process.stdout.write(`wrote ${files.size} rule files under ${out}${stale.length ? `, removed ${stale.join(', ')}` : ''}\n`);
  }
} catch (err) {
  if (err instanceof KpiConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
