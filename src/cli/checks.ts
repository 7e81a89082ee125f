import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import { createMistClient, isMistError } from '../mist/index.js';
import { redactSecrets } from '../config/index.js';
import { describeRedisUrl } from '../store/index.js';
import { urlSecrets } from '../store/redis-options.js';
import { describeSentinel, sentinelClientOptions, sentinelSecrets, type SentinelOptions } from '../store/sentinel.js';

/**
 * Start-up checks: each returns the one line a user needs (what is wrong, and which variable or flag fixes it),
 * or undefined. Commands gather them into one list (StartupProblems), like configuration problems, so a user
 * with no token and no Redis learns both at once. Lines never hold a secret: no token, no Redis URL.
 */

/** Thrown by a command that cannot start; runCli prints the problems (one line, or a list) and exits 2. */
export class StartupProblems extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'StartupProblems';
    this.problems = Object.freeze([...problems]);
  }
}

/** Throws StartupProblems when any check found a problem. */
export function refuseIfAny(problems: readonly (string | undefined)[]): void {
  const found = problems.filter((p): p is string => p !== undefined);
  if (found.length > 0) throw new StartupProblems(found);
}

/** A server the command will start: what it is, where, and the variable or flag that moves it. */
export interface Listener {
  /** "exporter", "simulator". */
  readonly what: string;
  readonly host: string;
  readonly port: number;
  /** "EXPORTER_PORT", "--port or SIM_PORT". */
  readonly portSetting: string;
  /** "EXPORTER_HOST"; absent when the address is not a setting. */
  readonly hostSetting?: string;
}

/** The line for a failed listen (EADDRINUSE and friends); undefined for errors that are not about the address. */
export function listenProblem(err: unknown, at: Listener): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const where = `${at.what} port ${at.port}`;
  const host = at.hostSetting ? `${at.host} (${at.hostSetting})` : at.host;
  switch (code) {
    case 'EADDRINUSE':
      return `${where} is already in use on ${at.host}: set ${at.portSetting} to another port`;
    case 'EACCES':
      return `${where} needs privileges this process does not have (ports below 1024): set ${at.portSetting} to 1024 or above`;
    case 'EADDRNOTAVAIL':
      return `${host} is not an address of this machine, so the ${at.what} cannot listen on it${at.hostSetting ? `: set ${at.hostSetting} to one (0.0.0.0: every interface)` : ''}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${host} does not resolve to an address, so the ${at.what} cannot listen on it`;
    default:
      return undefined;
  }
}

/** Awaits a server's start; a failed listen becomes a start-up problem naming the setting that moves it. */
export async function listening<T>(start: Promise<T>, at: Listener): Promise<T> {
  try {
    return await start;
  } catch (err) {
    const problem = listenProblem(err, at);
    if (problem) throw new StartupProblems([problem]);
    throw err;
  }
}

/** Tries the address before anything else starts (port 0, "any free port", always works). */
export async function portProblem(at: Listener): Promise<string | undefined> {
  if (at.port === 0) return undefined;
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err) => resolve(listenProblem(err, at) ?? `${at.what} cannot listen on ${at.host}:${at.port} (${(err as NodeJS.ErrnoException).code ?? err.message})`));
    server.listen({ host: at.host, port: at.port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/** One PING on a connection of its own, without retries, to learn why Redis cannot be reached. */
export async function redisProblem(url: string, timeoutMs = 5_000, sentinel: SentinelOptions | null = null): Promise<string | undefined> {
  const { host, port } = describeRedisUrl(url);
  // Through Sentinel: the same question the store asks (where is the master?), then the same PING there.
  const viaSentinel = sentinel ? { ...sentinelClientOptions(sentinel, url), sentinelRetryStrategy: () => null } : {};
  const client = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: timeoutMs, commandTimeout: timeoutMs, ...viaSentinel });
  // The command's own error is often just "Connection is closed"; the connection's first error says why.
  let cause: unknown;
  client.on('error', (err: unknown) => (cause ??= err));
  try {
    await client.ping();
    return undefined;
  } catch (err) {
    if (sentinel) {
      const { sentinels, master } = describeSentinel(sentinel, url);
      const message = redactSecrets(describeError(cause ?? err), [...sentinelSecrets(sentinel), ...urlSecrets(url)]);
      return `REDIS_SENTINELS: cannot reach master "${master}" through the Sentinels ${sentinels}: ${message}`;
    }
    return `REDIS_URL: ${redisReason(cause ?? err, `${host}:${port}`, timeoutMs)}`;
  } finally {
    client.disconnect();
  }
}

function describeError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0] ?? message;
}

function redisReason(err: unknown, address: string, timeoutMs: number): string {
  const where = `Redis at ${address}`;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'ECONNREFUSED') return `cannot reach ${where} (connection refused): is it running, and is the port right?`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot reach ${where} (the host name does not resolve)`;
  if (code === 'ETIMEDOUT' || /timed? ?out/i.test(message)) return `cannot reach ${where} (no answer within ${timeoutMs / 1000} s)`;
  if (/WRONGPASS|invalid password|invalid username-password/i.test(message)) return `${where} refused the user name or password in REDIS_URL`;
  if (/NOAUTH/.test(message)) return `${where} needs a password: put it in REDIS_URL (redis://:password@${address})`;
  // Other errors (TLS and the like): the error's first line, which names no password (ioredis never prints the URL).
  return `cannot use ${where}: ${message.split('\n')[0] ?? message}`;
}

/**
 * The line for a Mist error met at start-up (token validation, org size), naming the host and the HTTP status,
 * never the token. Undefined for anything that is not a Mist error.
 */
export function mistProblem(err: unknown, config: Config): string | undefined {
  if (!isMistError(err)) return undefined;
  const host = URL.parse(config.mist.baseUrl)?.host ?? config.mist.baseUrl;
  const { tokenVariable } = config.mist;
  const count = config.mist.tokens.length;
  const tokens = count === 1 ? 'the API token' : `all ${count} API tokens`;
  switch (err.code) {
    case 'E_MIST_AUTH':
      return `Mist at ${host} rejected ${tokens} (HTTP ${err.status ?? 401} on /api/v1/self): check ${tokenVariable}, and MIST_HOST for the token's region`;
    case 'E_MIST_FORBIDDEN':
      return `Mist at ${host} refused access (HTTP ${err.status ?? 403}${err.path ? ` on ${err.path.split('?')[0]}` : ''}): the token in ${tokenVariable} may not read this org; check MIST_ORG_ID`;
    case 'E_MIST_RATE_LIMITED':
      return `Mist at ${host} rate-limited ${tokens} (HTTP 429): the hourly budget is spent; try again later or add tokens to ${tokenVariable}`;
    case 'E_MIST_NETWORK':
    case 'E_MIST_TIMEOUT':
      return `cannot reach Mist at ${host} (${err.code === 'E_MIST_TIMEOUT' ? 'no answer in time' : 'connection failed'}): check MIST_HOST and the network`;
    default:
      return `Mist at ${host} failed at start-up${err.status ? ` (HTTP ${err.status})` : ''}: ${err.code}`;
  }
}

/** Validates the tokens on their own (GET /self, no usage read): used when another check already failed. */
export async function tokenProblem(config: Config, log: Logger): Promise<string | undefined> {
  try {
    const api = await createMistClient({ baseUrl: config.mist.baseUrl, tokens: config.mist.tokens, syncUsage: false, concurrency: config.collector.concurrency }, log);
    await api.close();
    return undefined;
  } catch (err) {
    const problem = mistProblem(err, config);
    if (problem) return problem;
    throw err;
  }
}
