// The topic check every transport makes before anything is sent (docs/protocol.md §1): a broker closes the
// connection on a malformed topic, so an invalid one is refused here, with the same errors everywhere.
import { ERR_TRANSPORT_PUBLISH, ERR_TRANSPORT_SUBSCRIBE } from '../errors.js';
import { topicFilterProblem, topicNameProblem } from '../protocol/topics.js';

/** Longest part of a refused topic quoted in an error (it may be 64 KiB of hostile text). */
const QUOTED_TOPIC_CHARS = 200;

/** `topic` as an error quotes it: cut to a bounded length, saying how long it was. */
export function quotedTopic(topic: string): string {
  if (topic.length <= QUOTED_TOPIC_CHARS) return topic;
  return `${topic.slice(0, QUOTED_TOPIC_CHARS)}… (${topic.length} characters)`;
}

/** ERR_TRANSPORT_PUBLISH if `topic` is not a valid MQTT topic name, else undefined. */
export function refusePublishTopic(topic: string): InstanceType<typeof ERR_TRANSPORT_PUBLISH> | undefined {
  const problem = topicNameProblem(topic);
  if (problem === undefined) return undefined;
  return new ERR_TRANSPORT_PUBLISH({ topic: quotedTopic(topic), reason: `invalid topic: it ${problem}` });
}

/** ERR_TRANSPORT_SUBSCRIBE if `filter` is not a valid MQTT topic filter, else undefined. */
export function refuseTopicFilter(filter: string): InstanceType<typeof ERR_TRANSPORT_SUBSCRIBE> | undefined {
  const problem = topicFilterProblem(filter);
  if (problem === undefined) return undefined;
  return new ERR_TRANSPORT_SUBSCRIBE({
    topic: quotedTopic(filter),
    reason: `invalid topic filter: it ${problem}`,
  });
}
