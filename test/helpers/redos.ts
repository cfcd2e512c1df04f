// recheck, a ReDoS checker, for the tests that hold patterns over untrusted text to linear time.
// It runs offline: its `auto` backend uses the native binary of the optional dependency
// recheck-linux-x64 (shipped in the npm package), else `java -jar` with recheck-jar, else its
// pure-JS build in a worker thread (slower, same answers). RECHECK_BACKEND picks one.
import { check } from 'recheck';

export interface RedosVerdict {
  /** `safe`, `vulnerable` or `unknown` (the checker could not decide: a test failure too). */
  status: string;
  /** What recheck says of the pattern: its complexity, the attack string it found, or its error. */
  detail: string;
}

/** recheck's verdict on `pattern` (sticky and global flags are taken into account). */
export async function checkRedos(pattern: RegExp): Promise<RedosVerdict> {
  // No wall-clock budgets inside the checker (its defaults: 1 s per attack, 250 ms incubation, 100 ms
  // seeding): on a loaded machine they change the verdict. Its step limits (counts) still bound the work.
  const d = await check(pattern.source, pattern.flags, {
    timeout: null,
    attackTimeout: null,
    incubationTimeout: null,
    seedingTimeout: null,
  });
  if (d.status === 'safe') return { status: d.status, detail: d.complexity.summary };
  if (d.status === 'vulnerable')
    return { status: d.status, detail: `${d.complexity.summary}: ${d.attack.pattern.slice(0, 120)}` };
  return { status: d.status, detail: JSON.stringify(d.error) };
}
