import { collectorCommand } from './collector.js';
import { planCommand } from './plan.js';
import { simCommand } from './sim.js';
import type { Command } from './types.js';

/** Every subcommand, in help order. */
export const COMMANDS: readonly Command[] = [collectorCommand, planCommand, simCommand];
