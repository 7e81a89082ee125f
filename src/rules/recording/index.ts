import type { GenerateOptions, KpiConfig } from '../config.js';
import type { RuleFile } from '../types.js';

/** The recording rules (KPIs), one file per grain: prometheus/rules/*.yml. */
export function recordingRuleFiles(_config: KpiConfig, _options: GenerateOptions): RuleFile[] {
  return [];
}
