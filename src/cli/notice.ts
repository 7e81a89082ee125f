import { redactSecrets, secretsOf } from '../config/index.js';
import { resolveLogFormat } from '../log.js';
import type { CommandContext } from './types.js';

/**
 * A message for the person running the command. `message` may span lines (a terminal shows it as it is);
 * JSON logs get `summary` (default: the message) as one entry with `fields`.
 */
export type Notice = (message: string, fields?: Record<string, unknown>, summary?: string) => void;

/**
 * Where progress goes: with text logs (a terminal) it is a plain line of its own on stdout; with JSON logs it
 * is one more JSON entry, with the numbers as fields, so a piped stdout stays one JSON object per line. Text
 * lines are scrubbed of the configured secrets as log lines are (an error quoted in a progress line, say).
 */
export function noticeFor({ config, io, log }: CommandContext): Notice {
  const text = resolveLogFormat(config.log.format, io.stdoutIsTTY === true) === 'text';
  const secrets = secretsOf(config);
  return (message, fields = {}, summary = message) => {
    if (text) io.stdout(`${redactSecrets(message, secrets)}\n`);
    else log.info(fields, summary);
  };
}
