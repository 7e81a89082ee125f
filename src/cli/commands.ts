import { simCommand } from './sim.js';
import type { Command } from './types.js';

/** Every subcommand, in help order. */
export const COMMANDS: readonly Command[] = [simCommand];
