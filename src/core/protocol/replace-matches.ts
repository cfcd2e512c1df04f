// Replacing matches in untrusted text in time linear in its length. A rule matches a short head
// (a name and `=`), decides in code whether it is a secret's (the name holds `token`), and only then
// reads the value after it with a sticky pattern. Putting the name test inside one pattern
// (`[\w-]*token[\w-]*=…`) made the engine retry every split of a long word (cubic on `pwd-pwd-…`);
// reading the value of a name that is then turned down re-reads the rest of the text for each name.
import { ERR_INTERNAL } from '../errors.js';

/** What replaces the text from the head's start up to `end`. */
export interface Replacement {
  text: string;
  end: number;
}

/**
 * `text.replace(head, …)` for a global `head`, where `decide` returns the replacement of a match or
 * undefined to keep it: the search then goes on after the match's first group, which must cover
 * every place where a match that can succeed could start inside this one.
 */
export function replaceMatches(
  text: string,
  head: RegExp,
  decide: (match: RegExpExecArray) => Replacement | undefined,
): string {
  if (!head.global)
    throw new ERR_INTERNAL({ where: 'replaceMatches', reason: 'the head pattern must be global' });
  const parts: string[] = [];
  let kept = 0;
  head.lastIndex = 0;
  for (let m = head.exec(text); m !== null; m = head.exec(text)) {
    const replacement = decide(m);
    if (replacement === undefined) {
      head.lastIndex = m.index + Math.max(1, m[1]?.length ?? 0);
      continue;
    }
    parts.push(text.slice(kept, m.index), replacement.text);
    kept = replacement.end;
    head.lastIndex = Math.max(kept, m.index + 1);
  }
  if (parts.length === 0) return text;
  parts.push(text.slice(kept));
  return parts.join('');
}

/** Where the sticky pattern `tail` matches from `from` ends, or -1 when it does not match there. */
export function tailEnd(text: string, tail: RegExp, from: number): number {
  if (!tail.sticky) throw new ERR_INTERNAL({ where: 'tailEnd', reason: 'the tail pattern must be sticky' });
  tail.lastIndex = from;
  return tail.test(text) ? tail.lastIndex : -1;
}
