/**
 * Calls per hour of each collection profile (COLLECTOR_PROFILE) at the simulator's 3,208- and 10,000-site orgs
 * with one and two tokens, at the default intervals: the org measured over HTTP by the collector's own size probes
 * (measureOrg), then the real planBudget. Prints a markdown table (docs/scaling.md).
 *
 *   npx tsx scripts/plan-profiles.ts [--sites 3208,10000] [--limit 5000] [--share 0.8]
 *
 * The same numbers, one configuration at a time, from the product itself: `npm run sim -- --sites 10000` and
 * `MIST_HOST=http://127.0.0.1:9730 MIST_API_TOKENS=mist-sim-demo-token COLLECTOR_PROFILE=standard npm run cli -- plan`.
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { measureOrg } from '../src/collect/measure.js';
import { planBudget, type Plan } from '../src/collect/plan.js';
import { PROFILES } from '../src/collect/profile.js';
import { FAMILIES } from '../src/families/registry.js';
import { createMistClient } from '../src/mist/index.js';
import { startSimulator } from '../src/sim/main.js';
import { DEMO_TOKEN, SimOptionsSchema } from '../src/sim/options.js';

const { values } = parseArgs({ options: { sites: { type: 'string', default: '3208,10000' }, limit: { type: 'string', default: '5000' }, share: { type: 'string', default: '0.8' } } });
const limit = Number(values.limit);
const share = Number(values.share);
const log = pino({ level: 'error' });
const out = (line: string): void => void process.stdout.write(`${line}\n`);
const jobs = FAMILIES.map((family) => ({ family, intervalSeconds: family.defaultIntervalSeconds }));

const stretchOf = (plan: Plan, tier: string): string => {
  const t = plan.tiers.find((x) => x.tier === tier);
  if (!t) return 'not collected';
  if (t.requestedPerHour === 0) return '—';
  return t.stretch > 1 ? `×${t.stretch.toFixed(2)}` : '×1';
};

out('| sites | profile | tokens | calls/hour asked | calls/hour planned | allowed | availability | standard | deep dive (budgeted) up to | fits |');
out('|---:|---|---:|---:|---:|---:|---|---|---:|---|');
for (const sites of values.sites.split(',').map(Number)) {
  const sim = await startSimulator(SimOptionsSchema.parse({ sites, port: 0, startTime: 1_790_000_000, warmupMinutes: 0 }), log);
  const api = await createMistClient({ baseUrl: sim.url, tokens: [DEMO_TOKEN], concurrency: 4, rateLimit: { perTokenPerHour: limit } }, log);
  try {
    const size = await measureOrg(api, sim.orgId);
    for (const profile of PROFILES) {
      for (const tokens of [1, 2]) {
        const plan = planBudget({ jobs, orgs: [{ orgId: sim.orgId, size }], tokens, limitPerToken: limit, share, profile });
        out(`| ${sites.toLocaleString('en-US')} | ${profile} | ${tokens} | ${plan.requestedPerHour.toLocaleString('en-US')} | ${plan.callsPerHour.toLocaleString('en-US')} `
          + `| ${plan.allowedPerHour.toLocaleString('en-US')} | ${stretchOf(plan, 'availability')} | ${stretchOf(plan, 'standard')} `
          + `| ${Object.keys(plan.budgets).length > 0 ? plan.leftoverPerHour.toLocaleString('en-US') : '—'} | ${plan.fits ? 'yes' : 'REFUSED'} |`);
      }
    }
    console.error(`${sites} sites: ${JSON.stringify(size)}`);
  } finally {
    await api.close();
    await sim.close();
  }
}
