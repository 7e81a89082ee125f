import { parseArgs } from 'node:util';
import type { ParseArgsOptionsConfig } from 'node:util';
import { ConfigError, loadConfig, redactSecrets, secretsOf } from '../config/index.js';
import type { Config } from '../config/index.js';
import { createLogger, resolveLogFormat } from '../log.js';
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
    config = loadConfig(io.env, io.envFile === undefined ? {} : { envFile: io.envFile });
  } catch (err) {
    if (err instanceof ConfigError) return printProblems(io, `${PROGRAM}: invalid configuration`, err.problems);
    throw err;
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
    // Expected failures (port in use, unreachable Redis) end here: log them, say so briefly, exit 1.
    log.fatal({ err }, `${command.name} failed`);
    io.stderr(`${PROGRAM} ${command.name}: ${redactSecrets(errorMessage(err), secrets)}\n`);
    return 1;
  }
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
