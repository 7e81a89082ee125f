import { text } from 'node:stream/consumers';
import { orgCatalogue } from '../families/org/catalogue.js';
import { orgRecords } from '../families/org/records.js';
import { inflateChunks } from '../metrics/gzip.js';
import type { FamilyView } from './exposition-cache.js';

/** mist_org_info: the series that carries each org's name (the org family's catalogue). */
const ORG_INFO = orgCatalogue.groups.flatMap((g) => g.metrics).find((m) => m.unit === 'info')!.name;

/** Label values as the exposition escapes them: \\ \" \n. */
const unescape = (v: string): string => v.replace(/\\(["\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c));

/** org_id → org_name from the org family's exposition text (its mist_org_info series). Pure. */
export function orgNamesFromExposition(exposition: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${ORG_INFO}{`)) continue;
    const labels = new Map([...line.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, unescape(m[2]!)]));
    const id = labels.get('org_id');
    const name = labels.get('org_name');
    if (id !== undefined && name !== undefined && name !== '') names.set(id, name);
  }
  return names;
}

const read = new WeakMap<FamilyView, Map<string, string>>();

/**
 * Org names as the exporter serves them: from the org family's rendered chunk (what /metrics says), not
 * from the store, so the landing page never waits on Redis. Each rendering is read once.
 */
export async function servedOrgNames(families: readonly FamilyView[]): Promise<Map<string, string>> {
  const org = families.find((f) => f.family === orgRecords.name);
  if (!org) return new Map();
  const known = read.get(org);
  if (known) return known;
  const names = orgNamesFromExposition(await text(inflateChunks([org.chunk])));
  read.set(org, names);
  return names;
}
