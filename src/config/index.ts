import type { core } from 'zod';
import { readEnvFile } from './env-file.js';
import { issueMessage } from './issues.js';
import { ConfigSchema, type Config } from './schema.js';
import { isServiceLink, serviceLinkWarning, unknownVariableWarnings } from './unknown-vars.js';
import { ENV_VARS } from './vars.js';

export { ENV_VARS, type EnvName, type EnvVar } from './vars.js';
export { ConfigSchema, type Config, type ConfigSectionName } from './schema.js';
export { LOG_FORMATS, LOG_LEVELS, MIST_HOSTS } from './fields.js';
export { REDACTED, redactSecrets, secretsOf } from './secrets.js';
export { parseEnvFile } from './env-file.js';
export { issueMessage } from './issues.js';
export { hostProblem } from './fields.js';
export { SECTION_NAMES, sectionVariables, variablesRead, type ConfigReads } from './reads.js';
export { closest } from './similar.js';
export { unknownVariableWarnings } from './unknown-vars.js';

export class ConfigError extends Error {
  readonly code = 'E_CONFIG';
  /** One line per problem, each naming its variable (or .env line); never a secret value. */
  readonly problems: readonly string[];
  /** Unknown variables seen meanwhile (see readConfig): often the reason a setting seems missing. */
  readonly warnings: readonly string[];

  constructor(problems: readonly string[], warnings: readonly string[] = []) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
    this.problems = Object.freeze([...problems]);
    this.warnings = Object.freeze([...warnings]);
  }
}

export interface LoadConfigOptions {
  /** KEY=VALUE file merged under the real environment; default ./.env, missing is fine. */
  envFile?: string;
}

export interface LoadedConfig {
  readonly config: Config;
  /** Variables that look meant for this program but are not read (typos), one line each; never a value. */
  readonly warnings: readonly string[];
}

/**
 * The only reader of process.env. Validates every variable, reports every problem in
 * one ConfigError, and returns a deep-frozen Config.
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  opts: LoadConfigOptions = {},
): Config {
  return readConfig(env, opts).config;
}

/** loadConfig, plus warnings about unknown variables in the environment and the .env file. */
export function readConfig(
  env: Record<string, string | undefined> = process.env,
  opts: LoadConfigOptions = {},
): LoadedConfig {
  const path = opts.envFile ?? '.env';
  const file = readEnvFile(path);
  // Kubernetes injects EXPORTER_PORT=tcp://… for a Service named "exporter" (SIM_PORT for "sim"): not a setting.
  const linked: string[] = ENV_VARS.filter((v) => isServiceLink(v.name, env[v.name])).map((v) => v.name);
  const raw = resolveVars(Object.fromEntries(Object.entries(env).filter(([name]) => !linked.includes(name))), file.values);
  // Every section reads the same flat variables; each picks its own names.
  const input = Object.fromEntries(Object.keys(ConfigSchema.shape).map((name) => [name, raw]));
  const result = ConfigSchema.safeParse(input);
  const problems = [...file.problems, ...(result.success ? [] : result.error.issues.map(describeIssue))];
  const warnings = [...linked.map(serviceLinkWarning), ...unknownVariableWarnings([
    ...Object.entries(env).map(([name, value]) => ({ name, value })),
    ...Object.entries(file.values).map(([name, value]) => ({ name, value, source: path })),
  ])];
  if (!result.success || problems.length > 0) {
    throw new ConfigError(problems, warnings);
  }
  return { config: deepFreeze(result.data), warnings };
}

/** Real env wins over the file; empty counts as unset everywhere (compose passes `X=` for unset X). */
function resolveVars(env: Record<string, string | undefined>, file: Record<string, string>) {
  const raw: Record<string, string | undefined> = {};
  for (const v of ENV_VARS) {
    const value = [env[v.name], file[v.name]].find((x) => x !== undefined && x.trim() !== '');
    raw[v.name] = value ?? v.default;
  }
  return raw;
}

/**
 * Messages come from our own parsers (fields.ts), which never quote secret input, or from
 * zod's built-in checks, which never quote input at all. No after-the-fact scrubbing: it
 * would turn "token #2 is too short" into "token #2 is too [REDACTED]" for token "short".
 */
function describeIssue(issue: core.$ZodIssue): string {
  // Path is [section, VARIABLE, ...]; the variable is what the user can act on.
  const name = String(issue.path[1] ?? issue.path[0] ?? 'config');
  return `${name}: ${issueMessage(issue)}`;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
