import type { DestinationStream } from 'pino';
import type { Config, ConfigReads, EnvName } from '../config/index.js';
import type { Logger } from '../log.js';

/** Everything the CLI touches outside itself, so runCli can be tested without a process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Resolves with the signal name when the process is asked to stop (SIGINT/SIGTERM). */
  waitForShutdown(): Promise<string>;
  /** Default: process.env (read by loadConfig, the only reader). */
  env?: Record<string, string | undefined>;
  /** Default: ./.env */
  envFile?: string;
  /** Default: stdout. */
  logDestination?: DestinationStream;
  /** Whether stdout is a terminal: LOG_FORMAT=auto then writes plain text instead of JSON. Default: false. */
  stdoutIsTTY?: boolean;
}

export interface OptionSpec {
  /** Flag name without dashes, kebab-case: `rate-limit`. */
  readonly name: string;
  /** Placeholder shown in help; absent for boolean flags. */
  readonly value?: string;
  readonly description: string;
  /** Shown in help as the default. */
  readonly default?: string;
  /** The variable that supplies the default, shown in help. */
  readonly env?: EnvName;
  /** The value (and each comma-separated part) is scrubbed from logs. */
  readonly secret?: boolean;
}

/** Parsed flags by name: strings for valued flags, true for boolean ones. */
export type CommandArgs = Readonly<Record<string, string | boolean | undefined>>;

export interface CommandContext {
  readonly config: Config;
  readonly log: Logger;
  readonly io: CliIo;
}

/** A subcommand. Adding one: a file under src/cli/ exporting this, and a line in commands.ts. */
export interface Command {
  readonly name: string;
  /** One line for the top-level help. */
  readonly summary: string;
  /** Paragraph shown at the top of the command's own help. */
  readonly description?: string;
  readonly options: readonly OptionSpec[];
  /** The config sections (or single variables) the command reads; its --help lists their variables and defaults. */
  readonly reads: ConfigReads;
  /** Resolves with the exit code once the command is done (for servers: after shutdown). */
  run(args: CommandArgs, ctx: CommandContext): Promise<number>;
}
