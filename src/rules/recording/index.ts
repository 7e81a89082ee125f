import type { GenerateOptions, KpiConfig } from '../config.js';
import { GROUPS } from '../names.js';
import type { RuleFile } from '../types.js';
import { chronicRules } from './chronic.js';
import { makeCtx } from './context.js';
import { dayRules } from './day.js';
import { failoverRules } from './failover.js';
import { flapRules } from './flaps.js';
import { hourRules } from './hour.js';
import { qualityRules } from './quality.js';
import { regionGroups } from './region.js';
import { statusRules } from './status.js';
import { thresholdGroup } from './thresholds.js';
import { utilizationRules } from './utilization.js';

/**
 * The recording rules (KPIs), one file per grain: prometheus/rules/*.yml. Order inside a group matters: a rule
 * reads what earlier rules of the same evaluation recorded (promtool 2.42 and Prometheus alike).
 */
export function recordingRuleFiles(config: KpiConfig, options: GenerateOptions): RuleFile[] {
  const ctx = makeCtx(config, options);
  return [
    {
      path: 'rules/mist-wan-minute.yml',
      title: 'KPI recording rules, per minute: up/down, bytes, utilization and its breaches and runs, flaps, failovers, quality (docs/kpis.md).',
      groups: [{ name: GROUPS.minute, interval: ctx.d(ctx.grain), rules: [
        ...statusRules(ctx), ...utilizationRules(ctx), ...flapRules(ctx), ...failoverRules(ctx), ...qualityRules(ctx),
      ] }],
    },
    {
      path: 'rules/mist-wan-hour.yml',
      title: 'KPI recording rules, trailing hour recorded every minute (read at clock hours for the hour grain; docs/kpis.md).',
      groups: [{ name: GROUPS.hour, interval: ctx.d(ctx.grain), rules: hourRules(ctx) }],
    },
    {
      path: 'rules/mist-wan-day.yml',
      title: 'KPI recording rules, the last whole UTC day, recorded once a day; chronic offenders (docs/kpis.md).',
      groups: [{ name: GROUPS.day, interval: ctx.d(ctx.hour), rules: [...dayRules(ctx), ...chronicRules(ctx)] }],
    },
    {
      path: 'rules/mist-wan-region.yml',
      title: 'KPI recording rules: rollups by region (live and daily) and the configured thresholds (docs/kpis.md).',
      groups: [...regionGroups(ctx), thresholdGroup(ctx)],
    },
  ];
}
