import { R } from '../names.js';
import { familyOf } from '../promql.js';
import type { RecordingRule } from '../types.js';
import { CIRCUIT, GATEWAY, on, rule, SITE, type Ctx } from './context.js';

/**
 * Up / down / unknown per circuit, and site down (docs/kpis.md "Up, down, unknown").
 * Up needs both the port (wan-ports family) and its gateway (gateways family) known: 1 when both are up, 0 when
 * either is down. A gateway known to be disconnected makes every known circuit of it (mist_wan_port_info) down even
 * when its port rows are gone. Nothing known → no sample (unknown). Disabled ports are left out.
 * Stale is unknown: the port branch needs wan-ports and gateways fresh, the disconnected branch gateways fresh
 * (org_family:…fresh:bool1m, recorded first; a failing collector's snapshot is served until it expires).
 */
export function statusRules(ctx: Ctx): RecordingRule[] {
  const portUp = ctx.raw('mist_wan_port_up');
  const gatewayUp = ctx.raw('mist_gateway_up');
  const known = ctx.raw('mist_wan_port_info', { by: CIRCUIT });
  const disabled = ctx.raw('mist_wan_port_disabled');
  const circuitUp = `(
      ${ctx.ifFresh(`${portUp} * ${on(GATEWAY)} group_left () ${gatewayUp}`, familyOf('mist_wan_port_up'), familyOf('mist_gateway_up'))}
      or ${ctx.ifFresh(`${known} * 0 and ${on(GATEWAY)} (${gatewayUp} == 0)`, familyOf('mist_gateway_up'))}
    ) unless ${on(CIRCUIT)} (${disabled} == 1)`;
  const siteDown = `max by (${SITE.join(', ')}) (${R.circuitUp}) == bool 0
    or ${ctx.ifFresh(`max by (${SITE.join(', ')}) (${gatewayUp}) == bool 0`, familyOf('mist_gateway_up'))}`;
  return [rule(R.fresh, ctx.freshness()), rule(R.circuitUp, circuitUp), rule(R.siteDown, siteDown)];
}
