import type { CliIo, Command, OptionSpec } from './types.js';

export const PROGRAM = 'mist-wan-exporter';

/** Exit code for usage and configuration errors, as sysexits-style CLIs and getopt use. */
export const EXIT_USAGE = 2;

/**
 * The one way problems reach the user: a title, one indented line each, an optional hint,
 * all on stderr. Used for config errors, bad flags and unknown commands alike.
 */
export function printProblems(io: CliIo, title: string, problems: readonly string[], hint?: string): number {
  const lines = [`${title}:`, ...problems.map((p) => `  ${p}`)];
  if (hint) lines.push(hint);
  io.stderr(`${lines.join('\n')}\n`);
  return EXIT_USAGE;
}

export function programHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    `Usage: ${PROGRAM} <command> [options]`,
    '',
    'Prometheus exporter for Juniper Mist WAN data, with a built-in Mist cloud simulator.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    `Run '${PROGRAM} <command> --help' for a command's options.`,
    'Settings come from environment variables or ./.env; see .env.example.',
    '',
  ].join('\n');
}

const HELP_OPTION: OptionSpec = { name: 'help', description: 'Show this help' };

export function commandHelp(command: Command): string {
  const options = [...command.options, HELP_OPTION];
  const labels = options.map((o) => `--${o.name}${o.value ? ` <${o.value}>` : ''}`);
  const width = Math.max(...labels.map((l) => l.length)) + 2;
  return [
    `Usage: ${PROGRAM} ${command.name} [options]`,
    '',
    command.description ?? command.summary,
    '',
    'Options:',
    ...options.map((o, i) => `  ${(labels[i] ?? '').padEnd(width)}${o.description}${defaultNote(o)}`),
    '',
  ].join('\n');
}

function defaultNote(option: OptionSpec): string {
  const parts = [
    option.default === undefined ? undefined : `default: ${option.default}`,
    option.env === undefined ? undefined : `env ${option.env}`,
  ].filter((p) => p !== undefined);
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}
