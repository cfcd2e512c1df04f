// `agent2389 inject --query --wait`: follow the routed conversation hop by hop until its final message.
import type { InboundMessage } from '../core/transport/transport.js';
import { formatDuration } from './display-text.js';
import type { Outcome } from './pipeline-tracker.js';
import { formatRoutedEvent } from './routed-format.js';
import { RoutedTracker } from './routed-tracker.js';
import { colourWanted, createPalette } from './terminal-style.js';

export interface RoutedWait {
  /** Feed every inbound message that is not a status message. */
  handle(msg: InboundMessage): void;
  /** Topics to subscribe to before the task is sent. */
  readonly topics: readonly string[];
  /**
   * After the send: the exit status once the final message arrived or `waitSeconds` passed (then
   * `note` may add why, e.g. the first agent never published a status).
   */
  finish(waitSeconds: number, json: boolean, note?: () => string | undefined): Promise<number>;
}

/** Where the conversation stood when time ran out. */
function stuckAt(tracker: RoutedTracker): string {
  const last = tracker.last();
  const where = `hop ${last.hop} (${last.agent})`;
  if (last.outcome !== undefined) return `${where} decided ${last.outcome}, and nothing followed`;
  return last.started ? `${where} started, still working` : `${where} never reported starting`;
}

export function routedWait(conversationId: string, taskId: string, agent: string): RoutedWait {
  const palette = createPalette(colourWanted(process.stderr));
  const tracker = new RoutedTracker(conversationId, taskId, agent);
  let settle: (o: Outcome) => void = () => {};
  const finished = new Promise<Outcome>((resolve) => (settle = resolve));
  const startedAt = Date.now();
  return {
    topics: [`/conversations/${conversationId}/+`, '/control/agents/+/progress'],
    handle(msg) {
      for (const e of tracker.handle(msg)) {
        if (e.type === 'final') settle(e.outcome);
        const line = formatRoutedEvent(e, palette);
        if (line !== undefined) process.stderr.write(`${line}\n`);
      }
    },
    async finish(waitSeconds, json, note) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<undefined>(
        (resolve) => (timer = setTimeout(() => resolve(undefined), waitSeconds * 1000)),
      );
      const outcome = await Promise.race([finished, timedOut]);
      clearTimeout(timer);
      const elapsed = formatDuration(Date.now() - startedAt);
      if (!outcome) {
        const why = tracker.last().hop <= 1 ? note?.() : undefined;
        process.stderr.write(
          `no final message within ${waitSeconds}s: ${stuckAt(tracker)}${why === undefined ? '' : `; ${why}`}\n`,
        );
        return 2;
      }
      if (outcome.kind === 'response') {
        process.stderr.write(`response from ${outcome.agent} after ${elapsed}:\n`);
        process.stdout.write(json ? `${outcome.raw}\n` : `${outcome.text}\n`);
        return 0;
      }
      process.stderr.write(
        `error [${outcome.code}] from ${outcome.agent} after ${elapsed}: ${outcome.message}\n`,
      );
      if (json) process.stdout.write(`${outcome.raw}\n`);
      return 1;
    },
  };
}
