// Script cache of the script executor: which scripts each child has loaded (or is loading), so a child is
// sent each version of a script once, and which scripts loaded successfully, so a restarted child gets
// them all loaded again.
import { ERR_CLOSED, ERR_SCRIPT_LOAD_FAILED, type AgentError } from '../errors.js';
import type { ScriptLimits } from './execution.js';
import type { PendingRequests } from './pending-requests.js';
import type { HostReply } from './script-host/protocol.js';
import type { ScriptHost, ScriptHosts } from './script-hosts.js';
import { hostKey, sameSpec, wireScript, type ScriptSpec } from './script-spec.js';

/** Loading evaluates the module once per pooled isolate, each bounded by timeoutMs in the child. */
const loadDeadlineMs = (limits: ScriptLimits): number => 10_000 + 2 * limits.timeoutMs;

interface Load {
  readonly spec: ScriptSpec;
  readonly done: Promise<void>;
}

export class ScriptCache {
  /** Every script loaded successfully, by tool: loaded again into a restarted child. */
  readonly #specs = new Map<string, ScriptSpec>();
  /** Scripts loaded (or loading) in each child, by tool; forgotten with the child. */
  readonly #loads = new WeakMap<ScriptHost, Map<string, Load>>();

  readonly #requests: PendingRequests<HostReply, ScriptHost>;
  readonly #hosts: ScriptHosts;
  readonly #poolSize: number;

  constructor(requests: PendingRequests<HostReply, ScriptHost>, hosts: ScriptHosts, poolSize: number) {
    this.#requests = requests;
    this.#hosts = hosts;
    this.#poolSize = poolSize;
  }

  /** `spec` is what its tool runs from now on. */
  remember(spec: ScriptSpec): void {
    this.#specs.set(spec.tool, spec);
  }

  /**
   * Load every known script that belongs in `host` (but `tool`'s, which its caller loads) into it. A
   * failed load is forgotten (see ensureLoaded), so that tool's next call loads again and gets the error.
   */
  reloadInto(host: ScriptHost, tool: string): void {
    const prefetchFailed = (): void => undefined; // reported by the tool's own next call, not here
    for (const known of this.#specs.values())
      if (hostKey(known) === host.key && known.tool !== tool)
        this.ensureLoaded(host, known).catch(prefetchFailed);
  }

  /** Load `spec` into `host`'s child unless the same spec is loaded (or loading) there already. */
  ensureLoaded(host: ScriptHost, spec: ScriptSpec): Promise<void> {
    let loads = this.#loads.get(host);
    if (!loads) this.#loads.set(host, (loads = new Map<string, Load>()));
    const known = loads.get(spec.tool);
    if (known && sameSpec(known.spec, spec)) return known.done;
    const done = this.#loadInto(host, spec);
    loads.set(spec.tool, { spec, done });
    done.catch(() => {
      if (loads.get(spec.tool)?.done === done) loads.delete(spec.tool);
    });
    return done;
  }

  /** One load request: `loaded`, `load-failed`, the deadline (which kills the child) or the child's end. */
  #loadInto(host: ScriptHost, spec: ScriptSpec): Promise<void> {
    const fail = (reason: string): AgentError =>
      new ERR_SCRIPT_LOAD_FAILED({ tool: spec.tool, source: spec.source, reason });
    const req = this.#requests.open<void>({
      onReply: (msg, r) => {
        if (msg.type === 'loaded') r.resolve();
        else if (msg.type === 'load-failed') r.reject(fail(msg.reason));
      },
      onTimeout: () => {
        this.#hosts.kill(host, `loading "${spec.tool}" did not finish in time`);
        return { error: fail('loading did not finish in time') };
      },
      onEnd: (reason, closing) => ({
        error: closing ? new ERR_CLOSED({}) : fail(`the script host stopped (${reason})`),
      }),
    });
    req.bind(host);
    req.arm(loadDeadlineMs(spec.limits));
    const script = wireScript(spec, this.#poolSize);
    host.process.ready.then(
      () => host.process.send({ type: 'load', id: req.id, script }),
      () => {}, // the exit is reported through onEnd
    );
    return req.promise;
  }
}
