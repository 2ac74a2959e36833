// Physical topic and subject names: every topic and subject carries X7_TOPIC_PREFIX
// (tests and benches isolate themselves with it), subjects follow TopicNameStrategy.
import type { Config } from '../config.js';
import type { LogicalTopic } from '../events.js';

/** The physical topic name: X7_TOPIC_PREFIX + logical name. */
export function topicName(config: Pick<Config, 'topicPrefix'>, logicalName: LogicalTopic | string): string {
  return `${config.topicPrefix}${logicalName}`;
}

/** The value subject of a physical topic (TopicNameStrategy). */
export function subjectFor(topic: string): string {
  return `${topic}-value`;
}
