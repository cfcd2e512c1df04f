// What `agent2389 pipeline` sends: hops and first input, from --agents/--message/--topic or a --file (pure).
import { isPlainObject } from '../core/protocol/envelope.js';
import { UsageError } from './build-envelope.js';

export interface PipelineHop {
  readonly agent: string;
  readonly instruction: string | null;
}

export interface PipelineSpec {
  readonly hops: readonly PipelineHop[];
  /** The first hop's input (later hops get the previous hop's response). */
  readonly input: unknown;
  readonly conversationId?: string | undefined;
}

export interface PipelineOptions {
  /** Comma-separated agent ids. */
  readonly agents?: string | undefined;
  readonly message?: string | undefined;
  readonly topic?: string | undefined;
  /** Raw JSON text for the first hop's input. */
  readonly inputJson?: string | undefined;
  /** The --file path and its contents. */
  readonly file?: { readonly path: string; readonly text: string } | undefined;
}

/** The agents of `--topic` without `--agents`: the research → write → edit pipeline of the Rust version's examples. */
export const DEFAULT_AGENTS: readonly string[] = ['researcher', 'writer', 'editor'];

/**
 * `--topic` instructions by position: the first hop researches the topic, the last of three or more
 * edits, every hop in between writes.
 */
export function topicInstruction(topic: string, index: number, hops: number): string {
  if (index === 0) return `Research: ${topic}`;
  if (index === hops - 1 && hops >= 3) return 'Edit and polish this article';
  return 'Write an article from this research';
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

function onlyKeys(obj: Record<string, unknown>, allowed: readonly string[], where: string): void {
  const extra = Object.keys(obj).filter((k) => !allowed.includes(k));
  if (extra.length > 0) {
    throw new UsageError(
      `${where}: unknown key ${extra.map((k) => `"${k}"`).join(', ')} (allowed: ${allowed.join(', ')})`,
    );
  }
}

/** Parse a pipeline file: {"conversation_id"?, "input"?, "hops": [{"agent", "instruction"?}, ...]}. */
export function pipelineFromFile(path: string, text: string): PipelineSpec {
  const doc = parseJson(text, path);
  if (!isPlainObject(doc)) throw new UsageError(`${path}: must be a JSON object with "hops"`);
  onlyKeys(doc, ['conversation_id', 'input', 'hops'], path);
  if (!Array.isArray(doc.hops) || doc.hops.length === 0) {
    throw new UsageError(`${path}: "hops" must be a non-empty array of {"agent", "instruction"}`);
  }
  const hops = doc.hops.map((hop: unknown, i): PipelineHop => {
    const where = `${path}: hops[${i}]`;
    if (!isPlainObject(hop)) throw new UsageError(`${where} must be an object {"agent", "instruction"}`);
    onlyKeys(hop, ['agent', 'instruction'], where);
    if (typeof hop.agent !== 'string') throw new UsageError(`${where}.agent must be a string`);
    const instruction = hop.instruction ?? null;
    if (instruction !== null && typeof instruction !== 'string') {
      throw new UsageError(`${where}.instruction must be a string or null`);
    }
    return { agent: hop.agent, instruction };
  });
  const conversationId = doc.conversation_id;
  if (conversationId !== undefined && typeof conversationId !== 'string') {
    throw new UsageError(`${path}: "conversation_id" must be a string`);
  }
  return { hops, input: doc.input ?? null, conversationId };
}

function splitAgents(list: string): string[] {
  const agents = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (agents.length === 0) throw new UsageError('--agents needs at least one agent id');
  return agents;
}

/** Turn the command's options into a spec; exactly one of --file, --message, --topic says what to send. */
export function pipelineFromOptions(opts: PipelineOptions): PipelineSpec {
  const sources = [
    opts.file && '--file',
    opts.message !== undefined && '--message',
    opts.topic !== undefined && '--topic',
  ];
  const given = sources.filter((s): s is string => typeof s === 'string');
  if (given.length === 0) {
    throw new UsageError('say what to send: --agents with --message, --topic, or --file <pipeline.json>');
  }
  if (given.length > 1) throw new UsageError(`${given.join(' and ')} cannot be used together`);
  if (opts.file) {
    if (opts.agents !== undefined || opts.inputJson !== undefined) {
      throw new UsageError('--file holds the hops and the input: leave out --agents and --input');
    }
    return pipelineFromFile(opts.file.path, opts.file.text);
  }
  const input = opts.inputJson === undefined ? null : parseJson(opts.inputJson, '--input');
  const { message, topic = '' } = opts;
  if (message !== undefined) {
    if (opts.agents === undefined) throw new UsageError('--message needs --agents (the hops, in order)');
    const agents = splitAgents(opts.agents);
    return { hops: agents.map((agent, i) => ({ agent, instruction: i === 0 ? message : null })), input };
  }
  const agents = opts.agents === undefined ? DEFAULT_AGENTS : splitAgents(opts.agents);
  return {
    hops: agents.map((agent, i) => ({ agent, instruction: topicInstruction(topic, i, agents.length) })),
    input,
  };
}
