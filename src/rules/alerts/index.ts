import type { GenerateOptions, KpiConfig } from '../config.js';
import type { RuleFile } from '../types.js';

/** The alerting rules: prometheus/alerts/*.yml. */
export function alertRuleFiles(_config: KpiConfig, _options: GenerateOptions): RuleFile[] {
  return [];
}
