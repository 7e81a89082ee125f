/**
 * Circuit roles: which of a gateway's WAN ports is its primary circuit, which its secondary, and so on. Mist
 * has no such field on the endpoints we read, so the operator says it with CIRCUIT_ROLES, by wan_name or
 * port_id; ports no rule takes get a positional default. See docs/collector.md#circuits.
 *
 * CIRCUIT_ROLES is an ordered, comma-separated list of `role=alternative|alternative|…`. Per gateway, each
 * rule in turn gives its role to ONE port not yet taken: the first alternative (in the order written) that
 * names one, compared case-insensitively with the port's wan_name or port_id (`*` matches any run of
 * characters; several ports matching one alternative: the lowest port id). So `primary=wan1|mpls` means "the
 * port named wan1, or else the one named mpls" — at most one primary per gateway. A role may be listed twice
 * (`secondary=wan2,secondary=wan3` gives two secondaries).
 *
 * Ports no rule takes, in port-id order (natural: ge-0/0/2 before ge-0/0/10): when the gateway still has no
 * primary, its first non-LTE port is primary (its first LTE port if it has only LTE); the other non-LTE
 * ports are secondary; LTE ports are backup.
 */
export interface CircuitRoleRule {
  readonly role: string;
  readonly alternatives: readonly string[];
}

/** Matches the simulator's and common Mist naming: wan1/wan2/wan3, mpls, lte. */
export const DEFAULT_CIRCUIT_ROLES = 'primary=wan1|wan|mpls,secondary=wan2|mpls|lte,tertiary=wan3|lte';

export const PRIMARY = 'primary';
export const SECONDARY = 'secondary';
export const BACKUP = 'backup';

export const ROLE_NAME = /^[a-z][a-z0-9_]{0,31}$/;
const ALTERNATIVE = /^[^\s,|=]{1,64}$/;

/** CIRCUIT_ROLES value for "no rules, the positional default only" (an empty variable means unset: the default). */
export const NO_RULES = 'none';

/** Parses CIRCUIT_ROLES; problems name the entry (#n) and what is wrong. `none` or empty: no rules (positional only). */
export function parseCircuitRoles(raw: string): { rules: CircuitRoleRule[]; problems: string[] } {
  const rules: CircuitRoleRule[] = [];
  const problems: string[] = [];
  if (raw.trim().toLowerCase() === NO_RULES) return { rules, problems };
  const entries = raw.split(',').map((e) => e.trim()).filter((e) => e !== '');
  entries.forEach((entry, i) => {
    const eq = entry.indexOf('=');
    const role = (eq < 0 ? entry : entry.slice(0, eq)).trim();
    const alternatives = eq < 0 ? [] : entry.slice(eq + 1).split('|').map((a) => a.trim());
    if (eq < 0) problems.push(`entry #${i + 1} "${entry}": expected role=name|name…`);
    else if (!ROLE_NAME.test(role)) problems.push(`entry #${i + 1}: role "${role}" must be lowercase letters, digits and _ (starting with a letter)`);
    else if (alternatives.length === 0 || alternatives.some((a) => !ALTERNATIVE.test(a))) {
      problems.push(`entry #${i + 1} (${role}): each alternative must be a non-empty wan_name or port_id without spaces, ",", "|" or "="`);
    } else rules.push({ role, alternatives });
  });
  return { rules, problems };
}

/** The port fields roles are assigned from. */
export interface RolePort {
  readonly port_id: string;
  readonly wan_name: string;
  readonly wan_type: string;
}

/**
 * One collator for every comparison: `localeCompare` with a locale and options builds a new one per call, which
 * made sorting the 3,208-site org's ports about 200 ms of blocking in each circuits cycle.
 */
const PORT_ORDER = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Natural order of port ids: ge-0/0/2 < ge-0/0/10. */
export function comparePortIds(a: string, b: string): number {
  return PORT_ORDER.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

export function isLte(p: RolePort): boolean {
  return p.wan_type.toLowerCase() === 'lte' || /^(cl|lte)-/i.test(p.port_id) || /lte/i.test(p.wan_name);
}

const patterns = new Map<string, RegExp>();
function matches(alternative: string, value: string): boolean {
  if (!alternative.includes('*')) return alternative.toLowerCase() === value.toLowerCase();
  let re = patterns.get(alternative);
  if (!re) {
    re = new RegExp(`^${alternative.split('*').map((s) => s.replace(/[.+?^${}()[\]\\/]/g, '\\$&')).join('.*')}$`, 'i');
    patterns.set(alternative, re);
  }
  return re.test(value);
}

/**
 * Roles of one gateway's WAN ports, by port_id. Pure.
 *
 * `pinned` (port_id → role: the circuit inventory's roles) are fixed first. Each pinned role then uses up one
 * rule of the same role (the first one not used yet), as if that rule had picked the pinned port: so an
 * inventory `primary` on wan2 leaves no primary rule to pick wan1 as a second primary, and wan1 falls to the
 * rules left or the positional default (secondary, since the gateway has a primary). Rules never take a pinned
 * port; the positional default sees the pinned primary.
 */
export function assignRoles(ports: readonly RolePort[], rules: readonly CircuitRoleRule[], pinned: ReadonlyMap<string, string> = new Map()): Map<string, string> {
  const sorted = [...ports].sort((a, b) => comparePortIds(a.port_id, b.port_id));
  const roles = new Map<string, string>();
  const left = [...rules];
  for (const p of sorted) {
    const role = pinned.get(p.port_id);
    if (role === undefined) continue;
    roles.set(p.port_id, role);
    const used = left.findIndex((r) => r.role === role);
    if (used >= 0) left.splice(used, 1);
  }
  for (const rule of left) {
    for (const alternative of rule.alternatives) {
      const hit = sorted.find((p) => !roles.has(p.port_id) && (matches(alternative, p.wan_name) || matches(alternative, p.port_id)));
      if (hit) {
        roles.set(hit.port_id, rule.role);
        break;
      }
    }
  }
  const rest = sorted.filter((p) => !roles.has(p.port_id));
  let hasPrimary = [...roles.values()].includes(PRIMARY);
  for (const p of rest.filter((q) => !isLte(q))) {
    roles.set(p.port_id, hasPrimary ? SECONDARY : PRIMARY);
    hasPrimary = true;
  }
  for (const p of rest.filter(isLte)) {
    roles.set(p.port_id, hasPrimary ? BACKUP : PRIMARY);
    hasPrimary = true;
  }
  return roles;
}

/**
 * Preference order of roles (lower first): the roles in the order the rules name them, then primary,
 * secondary and backup where the rules do not name them; any other role last.
 */
export function roleRanker(rules: readonly CircuitRoleRule[]): (role: string | null | undefined) => number {
  const order: string[] = [];
  for (const r of [...rules.map((rule) => rule.role), PRIMARY, SECONDARY, BACKUP]) if (!order.includes(r)) order.push(r);
  // primary always ranks first, whatever the rules' order.
  order.splice(order.indexOf(PRIMARY), 1);
  order.unshift(PRIMARY);
  return (role) => {
    const i = role == null ? -1 : order.indexOf(role);
    return i < 0 ? order.length : i;
  };
}
