import { resolveLogFormat } from '../log.js';
import type { CommandContext } from './types.js';

/** A progress message for the person running the command. */
export type Notice = (message: string, fields?: Record<string, unknown>) => void;

/**
 * Where progress goes: with text logs (a terminal) it is a plain line of its own on stdout; with JSON logs it
 * is one more JSON entry, with the numbers as fields, so a piped stdout stays one JSON object per line.
 */
export function noticeFor({ config, io, log }: CommandContext): Notice {
  const text = resolveLogFormat(config.log.format, io.stdoutIsTTY === true) === 'text';
  return (message, fields = {}) => {
    if (text) io.stdout(`${message}\n`);
    else log.info(fields, message);
  };
}
