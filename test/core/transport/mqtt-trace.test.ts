import { describe, expect, it } from 'vitest';

import { mqttTraceWanted } from '../../../src/core/transport/mqtt.js';

describe("mqttTraceWanted (whether mqtt.js's packet trace is passed to `debug`)", () => {
  it.each(['mqttjs*', 'mqttjs:client', '*', 'foo,mqttjs*', 'foo mqttjs:*'])('is on for DEBUG=%j', (v) =>
    expect(mqttTraceWanted(v)).toBe(true),
  );
  it.each([undefined, '', 'express:*', 'foo,bar', 'notmqttjs'])('is off for DEBUG=%j', (v) =>
    expect(mqttTraceWanted(v)).toBe(false),
  );
});
