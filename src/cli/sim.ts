import { issueMessage } from '../config/index.js';
import type { Config } from '../config/index.js';
import { DEMO_TOKEN, SimOptionsSchema } from '../sim/options.js';
import type { SimOptions } from '../sim/options.js';
import type { startSimulator } from '../sim/main.js';
import { listening, portProblem, refuseIfAny, type Listener } from './checks.js';
import { printProblems, PROGRAM } from './help.js';
import type { Command, CommandArgs, OptionSpec } from './types.js';

const defaults = SimOptionsSchema.parse({});

const OPTIONS: readonly OptionSpec[] = [
  { name: 'sites', value: 'n', description: 'Number of simulated sites', default: String(defaults.sites), env: 'SIM_SITES' },
  { name: 'seed', value: 'text', description: 'Seed of the simulated org; same seed, same org', default: defaults.seed, env: 'SIM_SEED' },
  { name: 'host', value: 'addr', description: 'Address to listen on', default: defaults.host },
  { name: 'port', value: 'port', description: 'Port to listen on (0: any free port)', default: String(defaults.port), env: 'SIM_PORT' },
  { name: 'tokens', value: 't1,t2', description: 'Comma-separated API tokens to accept', default: `the demo token ${DEMO_TOKEN}`, secret: true },
  { name: 'rate-limit', value: 'n', description: 'API calls allowed per token per hour, then 429', default: String(defaults.rateLimit) },
  { name: 'retry-after', value: 'on|off', description: 'Send Retry-After with 429 responses', default: defaults.retryAfter ? 'on' : 'off' },
  { name: 'speed', value: 'x', description: 'Simulated seconds per real second', default: String(defaults.speed), env: 'SIM_SPEED' },
  { name: 'history-minutes', value: 'n', description: 'Minutes of per-minute history kept', default: String(defaults.historyMinutes) },
  { name: 'search-history-minutes', value: 'n', description: 'Minutes back that alarm and event searches serve', default: String(defaults.searchHistoryMinutes) },
  { name: 'warmup-minutes', value: 'n', description: 'Simulated minutes run before serving', default: String(defaults.warmupMinutes) },
  { name: 'start-time', value: 'epoch', description: 'Start of simulated time, epoch seconds', default: 'now' },
];

type SimParse = { options: SimOptions } | { problems: string[] };

/**
 * Flags, then SIM_* settings, then the schema's defaults. Every problem is collected so
 * the user fixes them in one go; messages name the flag and never quote a token.
 */
export function parseSimArgs(args: CommandArgs, config: Config): SimParse {
  const problems: string[] = [];
  const str = (name: string) => {
    const value = args[name];
    return typeof value === 'string' ? value : undefined;
  };
  const retryAfter = str('retry-after');
  if (retryAfter !== undefined && retryAfter !== 'on' && retryAfter !== 'off') problems.push('--retry-after: must be on or off');
  const tokens = str('tokens');
  const input = {
    sites: str('sites') ?? config.sim.sites,
    seed: str('seed') ?? config.sim.seed,
    host: str('host'),
    port: str('port') ?? config.sim.port,
    tokens: tokens === undefined ? undefined : [...new Set(tokens.split(',').map((t) => t.trim()).filter((t) => t !== ''))],
    rateLimit: str('rate-limit'),
    retryAfter: retryAfter === undefined ? undefined : retryAfter === 'on',
    speed: str('speed') ?? config.sim.speed,
    historyMinutes: str('history-minutes'),
    searchHistoryMinutes: str('search-history-minutes'),
    warmupMinutes: str('warmup-minutes'),
    startTime: str('start-time'),
  };
  const result = SimOptionsSchema.safeParse(input);
  if (!result.success) {
    problems.push(...result.error.issues.map((issue) => `--${flagName(issue.path[0])}: ${issueMessage(issue)}`));
  }
  return result.success && problems.length === 0 ? { options: result.data } : { problems };
}

function flagName(field: PropertyKey | undefined): string {
  return String(field ?? '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Only the public demo token may be printed; user-supplied tokens are only counted. */
export function tokenSummary(tokens: readonly string[]): string {
  if (tokens.length === 1 && tokens[0] === DEMO_TOKEN) return `token: ${DEMO_TOKEN}`;
  return `token: ${tokens.length} ${tokens.length === 1 ? 'token' : 'tokens'}`;
}

/** Where the simulator listens, and the flag or variable that moves it. */
export function simListener(options: Pick<SimOptions, 'host' | 'port'>, portSetting: string, hostSetting?: string): Listener {
  return { what: 'simulator', host: options.host, port: options.port, portSetting, ...(hostSetting ? { hostSetting } : {}) };
}

type StartSimulator = typeof startSimulator;

// Loaded on demand so other commands and --help never load the simulator.
const loadSimulator = async (): Promise<StartSimulator> => (await import('../sim/main.js')).startSimulator;

/** `load` is injectable so tests can run the command without a real server. */
export function createSimCommand(load: () => Promise<StartSimulator> = loadSimulator): Command {
  return {
    name: 'sim',
    summary: 'Run the Mist cloud simulator: a Mist-shaped API for a generated org',
    description:
      'Run the built-in Mist cloud simulator: a deterministic, Mist-shaped API for a generated org,\n' +
      'for demos, development and tests without a Mist account.',
    options: OPTIONS,
    reads: ['log', 'sim'],
    async run(args, { config, log, io }) {
      const parsed = parseSimArgs(args, config);
      if ('problems' in parsed) return printProblems(io, `${PROGRAM} sim: invalid options`, parsed.problems);
      const { options } = parsed;
      const at = simListener(options, '--port or SIM_PORT', '--host');
      refuseIfAny([await portProblem(at)]);
      const startSimulator = await load();
      const simLog = log.child({ component: 'sim' });
      const sim = await listening(startSimulator(options, simLog), at);
      simLog.info({ url: sim.url, orgId: sim.orgId, sites: options.sites }, 'simulator listening');
      io.stdout(
        `Mist simulator for ${options.sites} sites listening on ${sim.url} (org ${sim.orgId}; ${tokenSummary(options.tokens)})\n`,
      );
      const signal = await io.waitForShutdown();
      simLog.info({ signal }, 'shutting down');
      await sim.close();
      return 0;
    },
  };
}

export const simCommand = createSimCommand();
