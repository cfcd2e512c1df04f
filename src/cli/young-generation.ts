// Imported first by the CLI: keep V8's young generation small while the agent starts.
//
// Startup allocates a lot exactly once (config and envelope schemas, plugin manifests, compiled JSON
// Schemas). Left alone, that burst grows the young generation to its maximum (16 MB per semi-space on
// Node 20), and V8 keeps it committed: ~15 MB of an idle agent's memory for nothing (idle RSS of
// `agent2389 run examples/quickstart.toml`: ~90 MB with this, ~106 MB without). So growth is held
// back until the agent is up; from then on the young generation grows with real load as usual.
//
// This is the one place that changes a V8 flag after startup (Node's documented
// `v8.setFlagsFromString`, whose effect V8 does not promise). The flag cannot be given at startup
// instead: NODE_OPTIONS refuses it, and it must be lifted once the agent serves.
// test/cli/young-generation.test.ts checks that the installed V8 still honours it, and fails loudly
// ("V8 no longer …") when it does not.
import { setFlagsFromString } from 'node:v8';

/** While starting: the young generation does not grow. */
export const HOLD_YOUNG_GENERATION = '--semi-space-growth-factor=1';
/** V8's default (flag-definitions.h, semi_space_growth_factor): grow as usual. */
export const RELEASE_YOUNG_GENERATION = '--semi-space-growth-factor=2';

setFlagsFromString(HOLD_YOUNG_GENERATION);

/** Let the young generation grow again (the agent is serving). */
export function releaseYoungGeneration(): void {
  setFlagsFromString(RELEASE_YOUNG_GENERATION);
}
