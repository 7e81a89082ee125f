import { R } from '../names.js';
import type { RecordingRule } from '../types.js';
import { CIRCUIT, GATEWAY, on, rule, SITE, type Ctx } from './context.js';

/**
 * Up / down / unknown per circuit, and site down (docs/kpis.md "Up, down, unknown").
 * Up needs both the port (wan-ports family) and its gateway (gateways family) known: 1 when both are up, 0 when
 * either is down. A gateway known to be disconnected makes every known circuit of it (mist_wan_port_info) down even
 * when its port rows are gone. Nothing known → no sample (unknown). Disabled ports are left out.
 */
export function statusRules(ctx: Ctx): RecordingRule[] {
  const portUp = ctx.raw('mist_wan_port_up');
  const gatewayUp = ctx.raw('mist_gateway_up');
  const known = ctx.raw('mist_wan_port_info', { by: CIRCUIT });
  const disabled = ctx.raw('mist_wan_port_disabled');
  const circuitUp = `(
      ${portUp} * ${on(GATEWAY)} group_left () ${gatewayUp}
      or ${known} * 0 and ${on(GATEWAY)} (${gatewayUp} == 0)
    ) unless ${on(CIRCUIT)} (${disabled} == 1)`;
  const siteDown = `max by (${SITE.join(', ')}) (${R.circuitUp}) == bool 0
    or max by (${SITE.join(', ')}) (${gatewayUp}) == bool 0`;
  return [rule(R.circuitUp, circuitUp), rule(R.siteDown, siteDown)];
}
