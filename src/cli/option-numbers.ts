// Numeric command-line options: the one parser every command uses. Commander runs it while parsing, so a
// bad value is a usage error (exit 64, the option named) before anything is read, connected or sent.
import { InvalidArgumentError } from 'commander';

/** The longest a Node timer waits (2^31 − 1 ms): a longer delay would fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** What an option holds: said in the error, whole numbers only or not, and its largest value. */
export interface NumberKind {
  readonly what: string;
  readonly integer: boolean;
  readonly max: number;
}

/** A delay or timeout in seconds (at most what a timer can wait). */
export const SECONDS: NumberKind = {
  what: 'a positive number of seconds',
  integer: false,
  max: Math.floor(MAX_TIMER_MS / 1000),
};
/** A delay in milliseconds. */
export const MILLISECONDS: NumberKind = {
  what: 'a positive whole number of milliseconds',
  integer: true,
  max: MAX_TIMER_MS,
};
/** A count of things. */
export const COUNT: NumberKind = {
  what: 'a positive whole number',
  integer: true,
  max: Number.MAX_SAFE_INTEGER,
};
/** A TCP port. */
export const PORT: NumberKind = { what: 'a port number (1–65535)', integer: true, max: 65_535 };

// Plain decimal digits only: no sign, exponent, hex, `Infinity` or blanks (Number() accepts them all).
const DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)$/;
const WHOLE = /^\d+$/;

/** `value` as a number of `kind`; else InvalidArgumentError (commander prints it with the option, exit 64). */
export function parsePositive(value: string, kind: NumberKind): number {
  const n = (kind.integer ? WHOLE : DECIMAL).test(value) ? Number(value) : NaN;
  if (!(n > 0)) throw new InvalidArgumentError(`Expected ${kind.what}.`);
  if (n > kind.max) throw new InvalidArgumentError(`Expected ${kind.what}, at most ${kind.max}.`);
  return n;
}

/** The commander argument parser for an option of `kind`: `.option(flags, text, positive(SECONDS), 5)`. */
export function positive(kind: NumberKind): (value: string) => number {
  return (value) => parsePositive(value, kind);
}
