import type { GenerateOptions, KpiConfig } from '../config.js';
import type { RuleFile } from '../types.js';
import { alertContext } from './common.js';
import { circuitDown, onSecondaryTooLong, siteDown } from './outage.js';
import { apiBudgetNearExhaustion, apiRateLimited, collectorFailing, dataStale, exporterTargetDown, shardConflict, storeDown } from './pipeline.js';
import { circuitCongested, pathQualityDegraded, siteSleDegraded } from './quality.js';

/**
 * The alerting rules: prometheus/alerts/mist-wan.yml (outages and degradation of the WAN, from the recorded
 * series) and prometheus/alerts/mist-wan-pipeline.yml (the exporter's own health). Each alert has a section in
 * docs/runbooks.md; docs/alerting.md says how they are routed.
 */
export function alertRuleFiles(config: KpiConfig, options: GenerateOptions): RuleFile[] {
  const ctx = alertContext(config, options);
  const interval = ctx.d(60);
  return [
    {
      path: 'alerts/mist-wan.yml',
      title: 'Alerts on WAN outages and degradation, read from the recorded per-minute series (docs/runbooks.md).',
      groups: [{
        name: 'mist_wan_alerts',
        interval,
        rules: [siteDown(ctx), circuitDown(ctx), circuitCongested(ctx), pathQualityDegraded(ctx), siteSleDegraded(ctx), onSecondaryTooLong(ctx)],
      }],
    },
    {
      path: 'alerts/mist-wan-pipeline.yml',
      title: 'Alerts on the exporter pipeline (Mist API, collector, store, exporter), read from its self-metrics (docs/runbooks.md).',
      groups: [{
        name: 'mist_wan_pipeline_alerts',
        interval,
        rules: [...dataStale(ctx), collectorFailing(ctx), apiBudgetNearExhaustion(ctx), apiRateLimited(ctx), storeDown(ctx), shardConflict(ctx), ...exporterTargetDown(ctx)],
      }],
    },
  ];
}
