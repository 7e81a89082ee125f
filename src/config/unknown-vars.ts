import { closest } from './similar.js';
import { ENV_VARS } from './vars.js';

/**
 * Warnings about variables that look meant for this program but that it does not read: a name with the prefix
 * of a variable it reads (MIST_, EXPORTER_, COLLECTOR_, REDIS_, SIM_, LOG_, CIRCUIT_, …, all taken from ENV_VARS,
 * so a new variable is known, and its prefix watched, without a second list). Warnings, not errors: a typo
 * should not stop a running deployment, and the variable may be meant for another program sharing the file.
 */

export interface Variable {
  readonly name: string;
  readonly value: string | undefined;
  /** Where it was set, e.g. ".env" (a file) or undefined for the environment. */
  readonly source?: string;
}

/** Hints for names people reach for from other tools (checked before the closest-name guess). */
const HINTS: Readonly<Record<string, string>> = {
  REDIS_HOST: 'Redis is configured by one URL: REDIS_URL=redis://host:6379',
  REDIS_PORT: 'Redis is configured by one URL: REDIS_URL=redis://host:6379',
  REDIS_PASSWORD: 'the password goes in REDIS_URL: redis://:password@host:6379',
  REDIS_DB: 'the database number goes in REDIS_URL: redis://host:6379/0',
  MIST_TOKEN: 'tokens go in MIST_API_TOKENS (or MIST_API_TOKEN), comma-separated',
  MIST_API_HOST: 'the Mist API host goes in MIST_HOST',
};

export function knownVariableNames(): string[] {
  return ENV_VARS.map((v) => v.name);
}

export function watchedPrefixes(names: readonly string[] = knownVariableNames()): string[] {
  return [...new Set(names.map((n) => `${n.split('_')[0]}_`))].sort();
}

/**
 * Kubernetes (enableServiceLinks) and legacy Docker links inject `<SERVICE>_SERVICE_HOST`, `<SERVICE>_PORT=tcp://…`
 * and `<SERVICE>_PORT_<n>_TCP…` for every Service: a Service named `redis` or `mist-wan-exporter` gives REDIS_PORT
 * and MIST_WAN_EXPORTER_SERVICE_HOST. Those are not typos.
 */
export function isServiceLink(name: string, value: string | undefined): boolean {
  if (/_SERVICE_(HOST|PORT)(_[A-Z0-9_]+)?$/.test(name)) return true;
  if (/_PORT_\d+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?$/.test(name)) return true;
  return /_PORT$/.test(name) && /^(tcp|udp|sctp):\/\//.test(value ?? '');
}

/** A setting whose value a Kubernetes Service link replaced (a Service named like its prefix): ignored, and said so. */
export function serviceLinkWarning(name: string): string {
  const service = name.replace(/_PORT$/, '').toLowerCase().replace(/_/g, '-');
  return `${name} holds a Kubernetes service link (a Service named "${service}" in the namespace), not a port, and is ignored: `
    + `set enableServiceLinks: false in the pod spec, or set ${name} in it (an explicit value wins)`;
}

/** One warning per unknown variable, naming it (never its value) and the variable it was probably meant to be. */
export function unknownVariableWarnings(vars: readonly Variable[], known: readonly string[] = knownVariableNames()): string[] {
  const prefixes = watchedPrefixes(known);
  const seen = new Set<string>();
  const warnings: string[] = [];
  for (const { name, value, source } of vars) {
    if (seen.has(name) || known.includes(name)) continue;
    if (!prefixes.some((p) => name.startsWith(p)) || isServiceLink(name, value)) continue;
    seen.add(name);
    warnings.push(`${name}${source ? ` (in ${source})` : ''} is not a setting of this program and is ignored; ${advice(name, known)}`);
  }
  return warnings;
}

function advice(name: string, known: readonly string[]): string {
  const hint = HINTS[name];
  if (hint) return hint;
  const near = closest(name, known);
  if (near) return `did you mean ${near}?`;
  const prefix = `${name.split('_')[0]}_`;
  return `the ${prefix}* settings are ${known.filter((k) => k.startsWith(prefix)).join(', ')}`;
}
