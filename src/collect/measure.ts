import type { SizeProbe } from '../families/define.js';
import { FAMILIES, SIZE_PROBES } from '../families/registry.js';
import type { MistApi } from '../mist/types.js';
import type { OrgSize } from './family.js';
import { collectsTier, type CollectorProfile } from './profile.js';

/** Reads only the org's size from Mist: one limit=1 call per size probe the families declare. */
export async function measureOrg(api: MistApi, orgId: string, signal?: AbortSignal, probes: ReadonlyMap<string, SizeProbe> = SIZE_PROBES): Promise<OrgSize> {
  const entries = [...probes];
  const counts = await Promise.all(entries.map(([, probe]) => probe.count(api, orgId, signal)));
  return Object.fromEntries(entries.map(([key], i) => [key, counts[i]!]));
}

/** The size probes of the families `profile` collects: a family it leaves out costs no call, not even a count. */
export function probesFor(profile: CollectorProfile): ReadonlyMap<string, SizeProbe> {
  return new Map(FAMILIES.filter((f) => collectsTier(profile, f.priority)).flatMap((f) => Object.entries(f.sizeProbes)));
}

/** The measured size as the `plan` command prints it, e.g. "3208 sites, 14 site groups, …". */
export function describeSize(size: OrgSize, probes: ReadonlyMap<string, SizeProbe> = SIZE_PROBES): string {
  return [...probes].map(([key, probe]) => `${size[key] ?? '?'} ${probe.counts}`).join(', ');
}
