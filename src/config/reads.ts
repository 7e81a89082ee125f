import { ConfigSchema, type ConfigSectionName } from './schema.js';
import { ENV_VARS, type EnvName, type EnvVar } from './vars.js';

/** What a command reads: whole config sections (every variable of `mist`, …) or single variables. */
export type ConfigReads = readonly (ConfigSectionName | EnvName)[];

export const SECTION_NAMES = Object.keys(ConfigSchema.shape) as ConfigSectionName[];

/** The variables a config section reads, from its schema (the one source: a new variable is listed at once). */
export function sectionVariables(section: ConfigSectionName): EnvName[] {
  return Object.keys(ConfigSchema.shape[section].in.shape) as EnvName[];
}

/** The variables behind `reads`, in ENV_VARS order (the order of .env.example), each once. */
export function variablesRead(reads: ConfigReads): EnvVar[] {
  const names = new Set(reads.flatMap((r) => ((SECTION_NAMES as readonly string[]).includes(r) ? sectionVariables(r as ConfigSectionName) : [r])));
  return ENV_VARS.filter((v) => names.has(v.name));
}
