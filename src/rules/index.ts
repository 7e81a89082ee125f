import { alertRuleFiles } from './alerts/index.js';
import { SHIPPED, type GenerateOptions, type KpiConfig } from './config.js';
import { recordingRuleFiles } from './recording/index.js';
import { renderRuleFile } from './render.js';
import type { RuleFile } from './types.js';

export { DEFAULT_KPI_CONFIG, loadKpiConfig, parseKpiConfig, KpiConfigError, type KpiConfig, type GenerateOptions } from './config.js';
export { R } from './names.js';

/** Every generated rule file: recording rules under rules/, alerts under alerts/. */
export function generateRuleFiles(config: KpiConfig, options: GenerateOptions = SHIPPED): RuleFile[] {
  return [...recordingRuleFiles(config, options), ...alertRuleFiles(config, options)];
}

/** path (relative to the output directory) → file text. */
export function renderRuleFiles(config: KpiConfig, options: GenerateOptions = SHIPPED): Map<string, string> {
  return new Map(generateRuleFiles(config, options).map((f) => [f.path, renderRuleFile(f)]));
}
