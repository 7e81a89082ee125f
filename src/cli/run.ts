import { parseArgs } from 'node:util';
import type { ParseArgsOptionsConfig } from 'node:util';
import { ConfigError, readConfig, redactSecrets, secretsOf } from '../config/index.js';
import type { Config } from '../config/index.js';
import { createLogger, resolveLogFormat } from '../log.js';
import { mistProblem, StartupProblems } from './checks.js';
import { COMMANDS } from './commands.js';
import { commandHelp, EXIT_USAGE, printProblems, PROGRAM, programHelp } from './help.js';
import type { CliIo, Command, CommandArgs } from './types.js';

const HELP_HINT = `Run '${PROGRAM} --help' for usage.`;

/**
 * Runs one CLI invocation and resolves with its exit code; never calls process.exit, so
 * tests drive it directly and only the bin wrapper (src/cli.ts) ends the process.
 */
export async function runCli(argv: readonly string[], io: CliIo, commands = COMMANDS): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h') {
    io.stdout(programHelp(commands));
    return 0;
  }
  if (name === undefined) {
    io.stderr(programHelp(commands));
    return EXIT_USAGE;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) return printProblems(io, PROGRAM, [`unknown command "${name}"`], HELP_HINT);

  const parsed = parseCommandArgs(command, rest);
  if ('problem' in parsed) {
    return printProblems(io, `${PROGRAM} ${command.name}`, [parsed.problem], `Run '${PROGRAM} ${command.name} --help' for its options.`);
  }
  if (parsed.args.help === true) {
    io.stdout(commandHelp(command));
    return 0;
  }

  let config: Config;
  try {
    const loaded = readConfig(io.env, io.envFile === undefined ? {} : { envFile: io.envFile });
    config = loaded.config;
    printWarnings(io, loaded.warnings);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const code = printProblems(io, `${PROGRAM}: invalid configuration`, err.problems);
    printWarnings(io, err.warnings);
    return code;
  }
  const secrets = [...secretsOf(config), ...secretArgs(command, parsed.args)];
  const log = createLogger({
    level: config.log.level,
    format: resolveLogFormat(config.log.format, io.stdoutIsTTY === true),
    secrets,
    ...(io.logDestination ? { destination: io.logDestination } : {}),
  });
  try {
    return await command.run(parsed.args, { config, log, io });
  } catch (err) {
    // Start-up problems (busy port, Redis down, token rejected): what is wrong and what fixes it, no stack, exit 2.
    const problems = err instanceof StartupProblems ? err.problems : [mistProblem(err, config)].filter((p) => p !== undefined);
    if (problems.length > 0) return refuse(io, command.name, problems.map((p) => redactSecrets(p, secrets)));
    // Anything else is unexpected: log it with its stack, say so briefly, exit 1.
    log.fatal({ err }, `${command.name} failed`);
    io.stderr(`${PROGRAM} ${command.name}: ${redactSecrets(errorMessage(err), secrets)}\n`);
    return 1;
  }
}

/** One problem: one line. Several: a list, like configuration problems. */
function refuse(io: CliIo, command: string, problems: readonly string[]): number {
  if (problems.length === 1) {
    io.stderr(`${PROGRAM} ${command}: cannot start: ${problems[0]}\n`);
    return EXIT_USAGE;
  }
  return printProblems(io, `${PROGRAM} ${command}: cannot start`, problems);
}

/** Unknown variables: on stderr before anything starts, one line each; they never stop the program. */
function printWarnings(io: CliIo, warnings: readonly string[]): void {
  for (const warning of warnings) io.stderr(`${PROGRAM}: warning: ${warning}\n`);
}

type Parsed = { args: CommandArgs } | { problem: string };

/** Flags of one command; strict, so a typo is an error rather than a silently ignored flag. */
export function parseCommandArgs(command: Command, argv: readonly string[]): Parsed {
  const options: ParseArgsOptionsConfig = Object.fromEntries([
    ...command.options.map((o) => [o.name, { type: o.value ? 'string' : 'boolean' }]),
    ['help', { type: 'boolean', short: 'h' }],
  ]);
  try {
    const { values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
    // No option is declared `multiple`, so no value is an array.
    return { args: values as CommandArgs };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // node's message quotes the stray argument, which may be a token meant for --tokens.
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      return { problem: 'unexpected argument: options take one value each (separate list items with commas)' };
    }
    if (code?.startsWith('ERR_PARSE_ARGS_')) return { problem: errorMessage(err).split('\n')[0] ?? code };
    throw err;
  }
}

function secretArgs(command: Command, args: CommandArgs): string[] {
  return command.options
    .filter((o) => o.secret)
    .flatMap((o) => {
      const value = args[o.name];
      return typeof value === 'string' ? [value, ...value.split(',').map((s) => s.trim())] : [];
    });
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
