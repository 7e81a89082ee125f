/**
 * The family names, known to config (to validate COLLECTOR_INTERVALS) without loading the collector.
 * families/index.ts must list exactly these (a unit test holds them together).
 */
export const FAMILY_NAMES = ['org', 'sites', 'gateways', 'wan-ports', 'vpn-peers', 'circuits', 'sle', 'sle-details', 'alarms', 'events'] as const;
export type FamilyName = (typeof FAMILY_NAMES)[number];
