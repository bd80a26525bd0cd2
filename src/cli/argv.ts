/**
 * The command line's own argument parser: `--flag`, `--name value`, `--name=value`, positionals,
 * and `--` to end options. Every mistake is a UsageError that names the option, so `main` can
 * print it with the command's help and exit 2.
 */

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type OptionKind = 'boolean' | 'string' | 'number';

export interface ParsedArgs {
  positionals: string[];
  flags: Set<string>;
  values: Map<string, string>;
  numbers: Map<string, number>;
}

/** Parses `argv` against `spec` (option name without dashes -> kind). `-h` is `--help`. */
export function parseArgs(argv: readonly string[], spec: Readonly<Record<string, OptionKind>>): ParsedArgs {
  const out: ParsedArgs = { positionals: [], flags: new Set(), values: new Map(), numbers: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h') {
      out.flags.add('help');
      continue;
    }
    if (!arg.startsWith('--') || arg === '-') {
      if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option '${arg}'`);
      out.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const kind = name === 'help' ? 'boolean' : spec[name];
    if (kind === undefined) throw new UsageError(`unknown option '--${name}'`);
    if (kind === 'boolean') {
      if (eq !== -1) throw new UsageError(`option '--${name}' takes no value`);
      out.flags.add(name);
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      i++;
    }
    if (value === undefined || value === '') throw new UsageError(`option '--${name}' needs a value`);
    if (kind === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n) || n <= 0)
        throw new UsageError(`option '--${name}' needs a positive number, got '${value}'`);
      out.numbers.set(name, n);
    } else {
      out.values.set(name, value);
    }
  }
  return out;
}
