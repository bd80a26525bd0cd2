import { InvalidArgumentError } from '../errors';
import { checkArg } from '../protocol/encoder';
import type { Arg } from '../protocol/types';

/** The first invalid argument of a command as an error naming the command and the position, or undefined. */
export function argError(name: string, args: readonly Arg[]): InvalidArgumentError | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    // Strings are by far the most common argument: no call for them.
    if (typeof a === 'string') continue;
    const problem =
      typeof a === 'number' ? (Number.isNaN(a) ? 'NaN is not a valid number argument' : undefined) : checkArg(a);
    if (problem !== undefined) return new InvalidArgumentError(`${name}: argument ${i + 1}: ${problem}`);
  }
  return undefined;
}

/**
 * A fault a build function found in what the caller passed (a field of an object whose value is
 * undefined, ...). It names the argument in the caller's terms; the generated method adds its own
 * name and turns it into an InvalidArgumentError (see buildError).
 */
export class ArgumentProblem extends Error {}

/** What a build function threw, as the method reports it: an ArgumentProblem names the method. */
export function buildError(method: string, err: unknown): Error {
  if (err instanceof ArgumentProblem) return new InvalidArgumentError(`${method}(): ${err.message}`);
  return err instanceof Error ? err : new Error(String(err));
}
