// How `agent2389 inject --query --wait` prints a routed conversation: one line per hop event (pure).
import { formatDuration, terminalText } from './display-text.js';
import type { RoutedEvent } from './routed-tracker.js';
import type { Palette } from './terminal-style.js';

const clean = terminalText;

/** `[2] writer` */
function at(hop: number, agent: string, p: Palette): string {
  return `${p.dim(`[${hop}]`)} ${p.bold(clean(agent, 64))}`;
}

/** ` · gatekeeper 12 ms · "reason"` */
function details(e: Extract<RoutedEvent, { type: 'decision' }>): string {
  const router = [
    e.router && clean(e.router, 32),
    e.durationMs === undefined ? undefined : formatDuration(e.durationMs),
  ]
    .filter(Boolean)
    .join(' ');
  const parts = [router, e.code && clean(e.code, 64), e.reason ? `"${clean(e.reason, 120)}"` : undefined];
  return parts
    .filter(Boolean)
    .map((s) => ` · ${s}`)
    .join('');
}

/** One line for a routed event; undefined for `final` (the caller prints the outcome). */
export function formatRoutedEvent(e: RoutedEvent, p: Palette): string | undefined {
  switch (e.type) {
    case 'started':
      return `${at(e.hop, e.agent, p)}  started`;
    case 'decision': {
      const what =
        e.outcome === 'forward'
          ? `${p.cyan('→')} ${clean(e.to ?? '?', 64)}`
          : e.outcome === 'error'
            ? p.red('router error')
            : p.green(clean(e.outcome, 32));
      return `${at(e.hop, e.agent, p)}  ${what}${details(e)}`;
    }
    case 'intermediate':
      return `${at(e.hop, e.agent, p)}  ${p.dim(`intermediate response: ${clean(e.text, 80)}`)}`;
    case 'final':
      return undefined;
  }
}
