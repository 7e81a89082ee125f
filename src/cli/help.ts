import { variablesRead, type EnvVar } from '../config/index.js';
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
    `Run '${PROGRAM} <command> --help' for a command's options and the variables it reads.`,
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
    ...variablesHelp(variablesRead(command.reads)),
  ].join('\n');
}

/** The variables a command reads with their defaults, from the config module (ENV_VARS and the section schemas). */
export function variablesHelp(vars: readonly EnvVar[]): string[] {
  if (vars.length === 0) return [];
  const width = Math.max(...vars.map((v) => v.name.length)) + 2;
  return [
    'Environment variables it reads, with their defaults (also read from ./.env; described in .env.example):',
    ...vars.map((v) => `  ${v.name.padEnd(width)}${shownDefault(v)}`),
    '',
  ];
}

function shownDefault(v: EnvVar): string {
  if (v.default === undefined || v.default === '') return v.secret ? '(not set; secret)' : '(not set)';
  const value = v.default.trim() === v.default ? v.default : JSON.stringify(v.default);
  return v.secret ? `${value} (secret)` : value;
}

function defaultNote(option: OptionSpec): string {
  const parts = [
    option.default === undefined ? undefined : `default: ${option.default}`,
    option.env === undefined ? undefined : `env ${option.env}`,
  ].filter((p) => p !== undefined);
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}
