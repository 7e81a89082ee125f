/**
 * What the container image's HEALTHCHECK probes (Dockerfile; src/healthcheck.ts runs it). One image runs every
 * subcommand, so the probe follows the subcommand the container was started with: the exporter's /health for
 * `exporter` and `all`, the simulator's /__sim/org for `sim`; `collector` serves no HTTP (it is healthy while it
 * runs: Docker probes only running containers), nor do the one-shot `plan` and `inventory`.
 */

export const DEFAULT_EXPORTER_PORT = '19730';
export const DEFAULT_SIM_PORT = '9730';

const SERVING = ['exporter', 'all', 'sim'] as const;
const SILENT = ['collector', 'plan', 'inventory'] as const;

export type HealthTarget = { kind: 'http'; url: string } | { kind: 'none'; reason: string };

/** The argument list of the container's main process (/proc/1/cmdline: NUL-separated). */
export function parseCmdline(raw: string): string[] {
  return raw.split('\0').filter((a) => a !== '');
}

/** The subcommand: the first argument after the CLI's script that names one (flags and node options skipped). */
export function subcommandOf(argv: readonly string[]): string | undefined {
  const script = argv.findIndex((a) => /(?:^|\/)cli\.(?:js|ts)$/.test(a));
  const rest = script >= 0 ? argv.slice(script + 1) : [];
  return rest.find((a) => !a.startsWith('-'));
}

/** 0.0.0.0 and :: listen everywhere: probe the loopback; a specific address is probed as it is. */
function probeHost(listen: string | undefined): string {
  if (listen === undefined || listen === '' || listen === '0.0.0.0' || listen === '::') return '127.0.0.1';
  return listen.includes(':') ? `[${listen}]` : listen;
}

function flagValue(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

const set = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value.trim());

export function healthTarget(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): HealthTarget {
  // The image's CMD is `exporter`: no subcommand found means the default.
  const command = subcommandOf(argv) ?? 'exporter';
  if ((SILENT as readonly string[]).includes(command)) return { kind: 'none', reason: `${command} serves no HTTP` };
  if (!(SERVING as readonly string[]).includes(command)) return { kind: 'none', reason: `unknown subcommand ${command}` };
  if (command === 'sim') {
    const port = flagValue(argv, 'port') ?? set(env.SIM_PORT) ?? DEFAULT_SIM_PORT;
    return { kind: 'http', url: `http://${probeHost(flagValue(argv, 'host'))}:${port}/__sim/org` };
  }
  const port = set(env.EXPORTER_PORT) ?? DEFAULT_EXPORTER_PORT;
  return { kind: 'http', url: `http://${probeHost(set(env.EXPORTER_HOST))}:${port}/health` };
}
