import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderMetricsDoc } from '../src/metrics/docs.js';

/** `npm run docs:metrics`: regenerates docs/metrics.md from the metric catalogue. */
const target = fileURLToPath(new URL('../docs/metrics.md', import.meta.url));
writeFileSync(target, renderMetricsDoc());
process.stdout.write(`wrote ${target}\n`);
