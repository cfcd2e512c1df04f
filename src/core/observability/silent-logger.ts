// A logger that drops everything: the default when a library user passes none, and for tests.
import type { LoggerV1 } from '@agent2389/tool-sdk';

const noop = (): void => undefined;

export const silentLogger: LoggerV1 = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
};
