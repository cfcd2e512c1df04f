// The baseline: a minimal hand-written MQTT echo responder (parse the envelope, publish a response).
// Usage: node dist/bench/echo-responder.js <broker-url> <agent-id>
import mqtt from 'mqtt';

const [url = 'mqtt://127.0.0.1:1883', agentId = 'echo-baseline'] = process.argv.slice(2);
const client = mqtt.connect(url, { protocolVersion: 5, clientId: `bench-${agentId}`, clean: true });

client.on('connect', () => {
  (client.stream as unknown as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
  client.subscribe(`/control/agents/${agentId}/input`, { qos: 1 }, () => process.stdout.write('ready\n'));
});

client.on('message', (_topic, payload) => {
  const task = JSON.parse(payload.toString()) as {
    task_id: string;
    conversation_id: string;
    instruction?: string;
  };
  const response = JSON.stringify({ task_id: task.task_id, response: task.instruction ?? '' });
  client.publish(`/conversations/${task.conversation_id}/${agentId}`, response, { qos: 1 });
});

process.on('SIGTERM', () => client.end(false, () => process.exit(0)));
