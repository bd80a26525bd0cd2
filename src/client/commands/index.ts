import { BASICS } from './basics';

/**
 * Every typed command, by method name. Each family lives in its own file; this table is what the
 * client, pipelines and transactions build their methods from (see command-def.ts).
 */
export const COMMANDS = {
  ...BASICS,
};

export type CommandTable = typeof COMMANDS;
export type { SetOptions } from './basics';
