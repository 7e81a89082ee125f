/**
 * Dashboard uids (stable: bookmarks and data links use them) and the provisioned datasource uid. One place, so a
 * data link can only point at a dashboard that exists (the lint test checks the variables too).
 */
export const UID = {
  overview: 'mist-wan-overview',
  noc: 'mist-wan-noc',
  region: 'mist-wan-region',
  site: 'mist-wan-site',
  circuit: 'mist-wan-circuit',
  thresholds: 'mist-wan-thresholds',
  availability: 'mist-wan-availability',
  health: 'mist-wan-health',
} as const;

export type DashboardUid = (typeof UID)[keyof typeof UID];

/** The uid grafana/provisioning/datasources/prometheus.yml gives the Prometheus datasource. */
export const DATASOURCE_UID = 'mist-wan-prometheus';

/** Every dashboard carries this tag; the dashboards' link bar lists the set by it. */
export const TAG = 'mist-wan';
