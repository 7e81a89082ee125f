import { allCommand } from './all.js';
import { collectorCommand } from './collector.js';
import { exporterCommand } from './exporter.js';
import { planCommand } from './plan.js';
import { simCommand } from './sim.js';
import type { Command } from './types.js';

/** Every subcommand, in help order. */
export const COMMANDS: readonly Command[] = [allCommand, collectorCommand, exporterCommand, planCommand, simCommand];
