#!/usr/bin/env node
// A tiny gatekeeper router for examples/routing (docs/routing.md): plain node:http, no dependencies.
// Each agent with `[routing] strategy = "gatekeeper"` POSTs here after it has done its part of a v2 task
// and gets back who works next. Edit STAGES (or decide()) to change the workflow.
//
// Request (the Rust router's contract):
//   {original_query, workflow_history: [{agent_id, action, timestamp}], current_output,
//    available_agents: [{agent_id, capabilities, load}], iteration_count}
// Response: {workflow_complete, next_agent?, next_instruction?, reasoning?}
//
//   node examples/routing/gatekeeper.mjs            # listens on 127.0.0.1:8089 (GATEKEEPER_PORT)
import { createServer } from 'node:http';

/** The workflow: one capability per stage, with the instruction the next agent gets. */
const STAGES = [
  { capability: 'research', instruction: 'Research this topic' },
  { capability: 'write', instruction: 'Write a short article from this research' },
  { capability: 'edit', instruction: 'Edit and polish this article' },
];

const MAX_BODY_BYTES = 1024 * 1024;
const port = Number(process.env.GATEKEEPER_PORT ?? 8089);
const host = process.env.GATEKEEPER_HOST ?? '127.0.0.1';

/**
 * research → write → edit → complete. workflow_history lists the hops before the asking agent (which
 * has just finished its own), so the asking agent did stage workflow_history.length.
 */
function decide(req) {
  const history = Array.isArray(req.workflow_history) ? req.workflow_history : [];
  const agents = Array.isArray(req.available_agents) ? req.available_agents : [];
  const next = STAGES[history.length + 1];
  if (!next) return { workflow_complete: true, reasoning: `all ${STAGES.length} stages done` };
  const candidates = agents
    .filter(
      (a) =>
        Array.isArray(a.capabilities) &&
        a.capabilities.some((c) => String(c).toLowerCase() === next.capability),
    )
    .sort((a, b) => a.load - b.load || String(a.agent_id).localeCompare(String(b.agent_id)));
  const chosen = candidates[0];
  if (!chosen)
    return { workflow_complete: true, reasoning: `no routable agent can ${next.capability}; stopping here` };
  return {
    workflow_complete: false,
    next_agent: chosen.agent_id,
    next_instruction: next.instruction,
    reasoning: `stage ${history.length + 2}/${STAGES.length}: ${next.capability}`,
  };
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const server = createServer((req, res) => {
  if (req.method !== 'POST') return send(res, 405, { error: 'POST a routing request' });
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      send(res, 413, { error: 'request too large' });
      req.destroy();
    } else chunks.push(chunk);
  });
  req.on('end', () => {
    let request;
    try {
      request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(res, 400, { error: 'body is not JSON' });
    }
    if (typeof request !== 'object' || request === null)
      return send(res, 400, { error: 'body is not an object' });
    const decision = decide(request);
    const who = decision.next_agent ? `→ ${decision.next_agent}` : 'complete';
    console.log(`iteration ${request.iteration_count}: ${who} (${decision.reasoning})`);
    send(res, 200, decision);
  });
});

server.listen(port, host, () => {
  const { port: actual } = server.address(); // GATEKEEPER_PORT=0: any free port
  console.log(`gatekeeper listening on http://${host}:${actual}/route`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
