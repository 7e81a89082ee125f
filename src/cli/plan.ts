import { describeSize, measureOrg, probesFor } from '../collect/measure.js';
import { formatPlan, planBudget } from '../collect/plan.js';
import { siteFilterPlan } from '../collect/site-filter-plan.js';
import { FAMILIES } from '../families/registry.js';
import { createMistClient, getOrg } from '../mist/index.js';
import { StartupProblems } from './checks.js';
import type { Command } from './types.js';

/** `mist-wan-exporter plan`: the API budget plan for the configured org(s), reading only their size from Mist. */
export const planCommand: Command = {
  name: 'plan',
  summary: 'Print the API budget plan: calls per family per hour and share of the budget',
  description:
    'Validates the tokens (/self), reads each org\'s size (one limit=1 call per collection) and prints\n' +
    'the calls every family of the COLLECTOR_PROFILE needs per cycle and per hour at the configured intervals,\n' +
    'each family\'s tier, and which tiers are stretched (lowest first, availability last) and by how much.\n' +
    'Exit 0 when the plan fits MIST_BUDGET_SHARE of the budget (possibly with stretched intervals), 1 when the\n' +
    'collector would refuse (every reason listed).',
  options: [],
  reads: ['log', 'mist', 'MIST_RATE_LIMIT', 'MIST_BUDGET_SHARE', 'COLLECTOR_INTERVALS', 'COLLECTOR_CONCURRENCY', 'COLLECTOR_PROFILE', 'SITE_INCLUDE', 'SITE_EXCLUDE'],
  async run(_args, { config, log, io }) {
    if (config.mist.tokens.length === 0) {
      throw new StartupProblems(['MIST_API_TOKENS is empty: the plan reads the org size from Mist (set MIST_API_TOKENS or MIST_API_TOKEN)']);
    }
    const api = await createMistClient({
      baseUrl: config.mist.baseUrl, tokens: config.mist.tokens, concurrency: config.collector.concurrency,
      rateLimit: { perTokenPerHour: config.collector.rateLimitPerToken },
    }, log);
    try {
      const orgIds = config.mist.orgIds.length > 0 ? config.mist.orgIds : api.orgIds();
      const orgs = [];
      const names = new Map<string, string>();
      const probes = probesFor(config.collector.profile);
      for (const orgId of orgIds) {
        const [size, org] = await Promise.all([measureOrg(api, orgId, undefined, probes), api.getOne(getOrg(orgId))]);
        orgs.push({ orgId, size });
        names.set(orgId, org.name);
        io.stdout(`org ${org.name} (${orgId}): ${describeSize(size, probes)}\n`);
      }
      const jobs = FAMILIES.map((family) => ({ family, intervalSeconds: config.collector.intervals[family.name] ?? family.defaultIntervalSeconds }));
      const tokens = api.usage().length;
      const plan = planBudget({ jobs, orgs, tokens, limitPerToken: config.collector.rateLimitPerToken, share: config.collector.budgetShare, profile: config.collector.profile });
      io.stdout(`${tokens} valid token(s) × ${config.collector.rateLimitPerToken} calls/hour, steady-state share ${Math.round(config.collector.budgetShare * 100)}%\n\n`);
      io.stdout(`${formatPlan(plan, names)}\n`);
      const filterLines = await siteFilterPlan(api, orgIds.map((orgId) => ({ orgId, name: names.get(orgId) ?? orgId })), config.collector.siteFilter);
      for (const line of filterLines) io.stdout(`${line}\n`);
      return plan.fits ? 0 : 1;
    } finally {
      await api.close();
    }
  },
};
