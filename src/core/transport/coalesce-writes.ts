// One socket write per event-loop turn instead of one per MQTT packet.
//
// mqtt-packet corks the socket for one packet and uncorks it on the next tick, so every publish made
// in its own promise continuation (a response, its progress events, the PUBACK of the next message)
// costs a writev syscall and a wake-up of the broker. Under load a single socket read carries many
// tasks, and their packets can share one write: the first write of a turn corks the socket, and
// setImmediate — after the microtasks and I/O callbacks of this turn, before the loop waits again —
// uncorks it. An idle agent's single response goes out in the same turn it was written, so latency
// does not change measurably (serial p50 in `npm run bench`: 0.39 ms before, 0.35–0.41 ms after).
// This wraps our own socket's write(); it works because mqtt.js writes packets with stream.write(),
// which test/core/transport/mqtt-internals.test.ts checks against the installed mqtt.js.
import type { Socket } from 'node:net';

type Writable = Pick<Socket, 'write' | 'cork' | 'uncork'>;

/** Make writes to `socket` within one event-loop turn go out as one write (see above). */
export function coalesceWrites<S extends Writable>(socket: S): S {
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  let corked = false;
  // (uncork on a destroyed socket is a no-op.)
  const flush = (): void => {
    corked = false;
    socket.uncork();
  };
  socket.write = (...args: unknown[]): boolean => {
    if (!corked) {
      corked = true;
      socket.cork();
      setImmediate(flush);
    }
    return write(...args);
  };
  return socket;
}
