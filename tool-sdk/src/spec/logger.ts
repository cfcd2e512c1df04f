// A minimal structured logger: what plugins may rely on (pino satisfies it).

export interface LogFn {
  (obj: object, msg?: string): void;
  (msg: string): void;
}

export interface LoggerV1 {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): LoggerV1;
}
