/**
 * What the tests can check of the Mimir and Thanos examples (prometheus/long-term/) without running them: the
 * configuration keys and command-line flags they use, against lists transcribed from the projects' documentation.
 * A subset: only the blocks and flags the examples need (an unknown key or flag there fails the test; a key Mimir
 * or Thanos renamed since the docs were read is not caught). Sources:
 *
 * Mimir (3.x/2.x, "Grafana Mimir configuration parameters"): https://grafana.com/docs/mimir/latest/configure/configuration-parameters/
 *   - retention, `limits.compactor_blocks_retention_period`: https://grafana.com/docs/mimir/latest/configure/configure-metrics-storage-retention/
 *   - `common.storage`, per-component `storage_prefix`: https://grafana.com/docs/mimir/latest/configure/configure-object-storage-backend/
 *   - monolithic example: grafana/mimir docs/configurations/single-process-config-blocks.yaml, demo.yaml
 *   - `<duration>`: `[0-9]+(ns|us|µs|ms|s|m|h|d|w|y)` where y = 365 days (same page, "Generic placeholders")
 * Thanos (v0.36): https://thanos.io/tip/components/receive.md/, compact.md, store.md, query.md (their "Flags"
 *   sections); object storage: https://thanos.io/tip/thanos/storage.md/
 */

/** A key tree: `true` = a leaf the example may set, an object = a block. */
export type KeyTree = { readonly [key: string]: true | KeyTree };

const s3: KeyTree = { endpoint: true, bucket_name: true, region: true, access_key_id: true, secret_access_key: true, insecure: true };
const ring = (extra: KeyTree = {}): KeyTree => ({ kvstore: { store: true, prefix: true }, instance_addr: true, ...extra });

export const MIMIR_KEYS: KeyTree = {
  target: true,
  multitenancy_enabled: true,
  no_auth_tenant: true,
  server: { http_listen_address: true, http_listen_port: true, grpc_listen_address: true, grpc_listen_port: true, log_level: true },
  common: { storage: { backend: true, s3, filesystem: { dir: true } } },
  blocks_storage: { backend: true, s3, filesystem: { dir: true }, storage_prefix: true, tsdb: { dir: true, retention_period: true }, bucket_store: { sync_dir: true } },
  ruler_storage: { backend: true, s3, storage_prefix: true },
  alertmanager_storage: { backend: true, s3, storage_prefix: true },
  compactor: { data_dir: true, sharding_ring: ring() },
  distributor: { ring: ring() },
  ingester: { ring: ring({ replication_factor: true }) },
  store_gateway: { sharding_ring: ring({ replication_factor: true }) },
  limits: {
    compactor_blocks_retention_period: true, max_global_series_per_user: true, ingestion_rate: true, ingestion_burst_size: true,
    out_of_order_time_window: true, max_label_names_per_series: true,
  },
};

/** Keys of `doc` (dotted paths) not in `tree`. */
export function unknownKeys(doc: unknown, tree: KeyTree, path = ''): string[] {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return [];
  return Object.entries(doc as Record<string, unknown>).flatMap(([k, v]) => {
    const at = path ? `${path}.${k}` : k;
    const allowed = tree[k];
    if (allowed === undefined) return [at];
    if (allowed === true) return v && typeof v === 'object' && !Array.isArray(v) ? [`${at} (a block where a value goes)`] : [];
    return v && typeof v === 'object' && !Array.isArray(v) ? unknownKeys(v, allowed, at) : [`${at} (a value where a block goes)`];
  });
}

/** Mimir's `<duration>` in seconds (y = 365 d), or NaN when it does not match the documented form. */
export function mimirDurationSeconds(text: string): number {
  const unit: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };
  const parts = [...text.matchAll(/(\d+)(ns|us|µs|ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return NaN;
  return parts.reduce((acc, p) => acc + Number(p[1]) * unit[p[2]!]!, 0);
}

/** Thanos flags per component (the subset the example may use). */
export const THANOS_FLAGS: Readonly<Record<string, readonly string[]>> = {
  receive: [
    '--tsdb.path', '--tsdb.retention', '--grpc-address', '--http-address', '--remote-write.address', '--objstore.config-file',
    '--label', '--receive.replication-factor', '--receive.local-endpoint', '--receive.hashrings-file', '--receive.tenant-header',
  ],
  compact: [
    '--wait', '--wait-interval', '--data-dir', '--objstore.config-file', '--http-address', '--retention.resolution-raw',
    '--retention.resolution-5m', '--retention.resolution-1h', '--downsampling.disable', '--deduplication.replica-label', '--delete-delay',
  ],
  store: ['--data-dir', '--objstore.config-file', '--grpc-address', '--http-address'],
  query: ['--http-address', '--grpc-address', '--endpoint', '--query.replica-label'],
  sidecar: ['--tsdb.path', '--prometheus.url', '--objstore.config-file', '--grpc-address', '--http-address'],
};

/** Thanos' retention flags take Prometheus-style durations (`395d`, `0d` = keep forever): seconds. */
export function thanosDurationSeconds(text: string): number {
  const unit: Record<string, number> = { ms: 1e-3, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };
  const parts = [...text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return NaN;
  return parts.reduce((acc, p) => acc + Number(p[1]) * unit[p[2]!]!, 0);
}

/** Thanos objstore config (bucket.yml): a type and its config block (https://thanos.io/tip/thanos/storage.md/). */
export const THANOS_OBJSTORE_TYPES = ['S3', 'GCS', 'AZURE', 'SWIFT', 'COS', 'ALIYUNOSS', 'BOS', 'OCI', 'OBS', 'FILESYSTEM'] as const;
