// What the MQTT transport logs about failed connection attempts: the first few at info, then once (warn)
// what was tried and what to check, then one debug line per attempt while it retries with backoff; and
// how many attempts had failed when it finally connects.
import type { LoggerV1 } from '@agent2389/tool-sdk';

/** The failed attempt that gets the warning with what to check (the ones before are logged at info). */
export const LOUD_FAILURES = 3;

export interface AttemptLogOptions {
  readonly log: LoggerV1;
  /** The broker as shown to people (no credentials). */
  readonly broker: string;
  /** The longest wait between attempts, said in the warning. */
  readonly maxDelayMs: number;
  /** Appended to the warning about an unreachable broker (e.g. an agent's config key to check). */
  readonly hint?: string | undefined;
}

/** Counts the failed attempts since the last connection and logs them as the header says. */
export class ConnectAttempts {
  readonly #o: AttemptLogOptions;
  #failures = 0;

  constructor(options: AttemptLogOptions) {
    this.#o = options;
  }

  /** Failed attempts since the last connection. */
  get failures(): number {
    return this.#failures;
  }

  /** An attempt failed with `reason`; `refused`: the broker answered and refused (a CONNACK error). */
  failed(reason: string, retryInMs: number | undefined, refused: boolean): void {
    this.#failures += 1;
    const fields = { reason, attempt: this.#failures, retryInMs };
    if (this.#failures < LOUD_FAILURES) this.#o.log.info(fields, 'MQTT connection attempt failed');
    else if (this.#failures > LOUD_FAILURES) this.#o.log.debug(fields, 'MQTT connection attempt failed');
    else this.#o.log.warn(fields, this.#advice(reason, refused));
  }

  /** Connected: the fields to log with it, and the message (naming the failed attempts, if any). */
  connected(): { failedAttempts?: number; msg: string } {
    const n = this.#failures;
    this.#failures = 0;
    if (n === 0) return { msg: 'MQTT connected' };
    return { failedAttempts: n, msg: `MQTT connected to ${this.#o.broker} after ${n} failed attempt(s)` };
  }

  #advice(reason: string, refused: boolean): string {
    const { broker, maxDelayMs, hint } = this.#o;
    const tried = `${LOUD_FAILURES} attempts to connect to the MQTT broker at ${broker} failed (${reason})`;
    const check = refused
      ? 'the broker refuses us: check the username and password and its access rules'
      : `check the URL, and that an MQTT broker is running and reachable there${hint ? `; ${hint}` : ''}`;
    return `${tried}: ${check}. Retrying quietly (every ${Math.round(maxDelayMs / 1000)} s at most; debug logs each attempt)`;
  }
}
