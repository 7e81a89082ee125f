import { COLLECTOR_STATES, type CollectorStatus } from '../store/org-locks.js';
import type { Sample } from './exposition.js';

/**
 * `mist_collector_org_collectors{org_id,state}`: per org (every org with data or a collector), how many live
 * collectors claim it in each state, 0 included so `== 0` alerts work. Pure.
 */
export function orgCollectorSamples(statuses: readonly CollectorStatus[], orgsWithData: readonly string[]): Sample[] {
  const orgs = [...new Set([...orgsWithData, ...statuses.flatMap((s) => s.orgIds)])].sort();
  return orgs.flatMap((org) => COLLECTOR_STATES.map((state) => ({
    labels: [org, state],
    value: statuses.filter((s) => s.state === state && s.orgIds.includes(org)).length,
  })));
}

/** `mist_api_token_active_collectors{token_fingerprint}`: active collectors per token any collector reports. Pure. */
export function tokenCollectorSamples(statuses: readonly CollectorStatus[]): Sample[] {
  const tokens = [...new Set(statuses.flatMap((s) => s.tokens))].sort();
  return tokens.map((fp) => ({ labels: [fp], value: statuses.filter((s) => s.state === 'active' && s.tokens.includes(fp)).length }));
}

/** Orgs of collectors whose shard overlaps another's (state conflict), and tokens two or more active collectors use. */
export function shardProblems(statuses: readonly CollectorStatus[]): { conflicted: string[]; sharedTokens: string[] } {
  const conflicted = [...new Set(statuses.filter((s) => s.state === 'conflict').flatMap((s) => s.orgIds))].sort();
  const sharedTokens = tokenCollectorSamples(statuses).filter((s) => s.value > 1).map((s) => s.labels[0]!);
  return { conflicted, sharedTokens };
}
