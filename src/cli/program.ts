// `agent2389` command line: run, validate, inject, monitor, agents, pipeline, health, plugin, plugins.
import { createProgram, failureOf } from './cli-program.js';

try {
  await createProgram().parseAsync(process.argv);
} catch (err) {
  const { code, message } = failureOf(err);
  if (message === undefined) {
    process.exitCode = code; // commander printed the usage error (or the help)
  } else {
    process.stderr.write(`agent2389: ${message}\n`);
    process.exit(code);
  }
}
