/**
 * Which site groups are regions. Orgs model regions as site groups, named by convention; the operator says
 * which: by name prefix (stripped from the label: "Region - West" → "West") or by an explicit list of names.
 */
export interface RegionRule {
  readonly prefix: string;
  readonly names: readonly string[];
}

export const UNKNOWN_REGION = 'unknown';

/** The region of a site from its site groups' names; the first match in sorted order wins, else 'unknown'. */
export function regionOf(groupNames: readonly string[], rule: RegionRule): string {
  for (const name of [...groupNames].sort()) {
    if (rule.names.includes(name)) return name;
    if (rule.prefix !== '' && name.startsWith(rule.prefix) && name.length > rule.prefix.length) return name.slice(rule.prefix.length).trim();
  }
  return UNKNOWN_REGION;
}
