// Imported first by the CLI: keep V8's young generation small while the agent starts.
//
// Startup allocates a lot exactly once (config and envelope schemas, plugin manifests, compiled JSON
// Schemas). Left alone, that burst grows the young generation to its maximum (16 MB per semi-space on
// Node 20), and V8 keeps it committed: ~9 MB of an idle agent's memory for nothing. So growth is held
// back until the agent is up; from then on the young generation grows with real load as usual.
import { setFlagsFromString } from 'node:v8';

/** V8's default (flag-definitions.h, semi_space_growth_factor). */
const DEFAULT_GROWTH_FACTOR = 2;

setFlagsFromString('--semi-space-growth-factor=1');

/** Let the young generation grow again (the agent is serving). */
export function releaseYoungGeneration(): void {
  setFlagsFromString(`--semi-space-growth-factor=${DEFAULT_GROWTH_FACTOR}`);
}
