// The code each fresh context runs before the script's module: the `host` object, captured JSON, the
// call runner, and what the tool may see of WebAssembly.
import { MAX_REASON_CHARS } from './protocol.js';

/**
 * Without the opt-in, `WebAssembly` is removed (the child already runs with --no-expose-wasm; this is
 * the second layer) and replaced by a non-configurable accessor that answers undefined — so
 * `typeof WebAssembly` still works for feature detection — and notes that the script looked for it,
 * so a call that then fails is reported as "WebAssembly is not enabled" rather than a bare TypeError.
 */
const NO_WASM = `
delete globalThis.WebAssembly;
Object.defineProperty(globalThis, 'WebAssembly', {
  get() { wasmNote = 'disabled'; return undefined; }, enumerable: false, configurable: false,
});`;

/**
 * With the opt-in: the child caps each wasm memory and its own data size, so V8 refuses an allocation
 * over the limit with a RangeError. The wrappers only note such a refusal (so a call that ends with it
 * is reported as a memory-limit hit); they enforce nothing, and a script that goes around them only
 * changes how its failure is reported.
 */
const WASM_WATCH = `
const W = globalThis.WebAssembly;
if (W !== undefined) {
  const RangeErr = RangeError, rConstruct = Reflect.construct, pThen = Promise.prototype.then;
  const noted = (e) => { if (e instanceof RangeErr) wasmNote = 'refused'; return e; };
  const watch = (C) => {
    const P = new Proxy(C, {
      apply(t, self, a) { try { return rApply(t, self, a); } catch (e) { throw noted(e); } },
      construct(t, a, nt) { try { return rConstruct(t, a, nt); } catch (e) { throw noted(e); } },
    });
    C.prototype.constructor = P;
    return P;
  };
  const grow = W.Memory.prototype.grow, instantiate = W.instantiate;
  W.Memory.prototype.grow = function grow_(delta) {
    try { return rApply(grow, this, [delta]); } catch (e) { throw noted(e); }
  };
  W.Memory = watch(W.Memory);
  W.Instance = watch(W.Instance);
  W.instantiate = function instantiate_(...a) {
    return rApply(pThen, rApply(instantiate, W, a), [undefined, (e) => { throw noted(e); }]);
  };
}`;

/**
 * Evaluated with evalClosureSync($0 = host.log callback, $1 = host.fetch reference). JSON and String
 * are captured first, so a script that replaces them only fools itself; the result's size is checked
 * before anything crosses. Returns `{ run, wasmNote }`, held only by the script host.
 * run's answer is tagged: R<json> ok, L too large, E<message> thrown, W<message> thrown after looking
 * for a disabled WebAssembly, M<message> thrown after a wasm allocation was refused.
 */
export function bootstrapSource(wasm: boolean): string {
  return `'use strict';
const parse = JSON.parse, stringify = JSON.stringify, Str = String, ErrorCtor = Error;
const logCb = $0, fetchRef = $1, rApply = Reflect.apply;
let wasmNote = '';
${wasm ? WASM_WATCH : NO_WASM}
const host = {};
if (logCb !== undefined) {
  host.log = function log(a, b) {
    if (arguments.length >= 2) logCb(Str(a), Str(b)); else logCb('info', Str(a));
  };
}
if (fetchRef !== undefined) {
  const refApply = fetchRef.apply, opts = { result: { promise: true, copy: true } };
  host.fetch = async function fetch(url, init) {
    const initJson = init === undefined ? '{}' : stringify(init);
    const reply = parse(await rApply(refApply, fetchRef, [undefined, [Str(url), Str(initJson)], opts]));
    if (reply.ok) return reply.response;
    const e = new ErrorCtor(reply.message);
    e.code = reply.code;
    throw e;
  };
}
Object.freeze(host);
async function run(fn, paramsJson, max) {
  let s;
  try {
    s = stringify(await fn(parse(paramsJson), host));
  } catch (e) {
    let m;
    try {
      m = e instanceof ErrorCtor ? Str(e.message) : Str(e);
      if (e instanceof ErrorCtor && typeof e.code === 'string') m = '[' + e.code + '] ' + m;
    } catch { m = 'a value that cannot be printed'; }
    const tag = wasmNote === 'refused' ? 'M' : wasmNote === 'disabled' ? 'W' : 'E';
    return tag + Str.prototype.slice.call(m, 0, ${MAX_REASON_CHARS});
  }
  if (s === undefined) return 'Rnull';
  return s.length > max ? 'L' : 'R' + s;
}
return { run, wasmNote: () => wasmNote };`;
}
