#!/usr/bin/env node
// The `agent2389` executable. young-generation.ts runs before the commands (and everything they
// import) are even loaded, so that loading them does not size V8's young generation for good.
import './young-generation.js';

await import('./program.js');
