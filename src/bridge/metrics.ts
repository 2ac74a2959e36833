// The bridge's Prometheus metrics, as plain counters rendered in the text format.
// Few enough that a client library would be more code than it saves.

export class BridgeMetrics {
  connectionsOpened = 0;
  connectionsRejected: Record<string, number> = {};
  framesReceived = 0;
  messagesProduced = 0;
  eventsConsumed = 0;
  eventsDelivered = 0;
  eventsUndecodable = 0;
  eventsReplayed = 0;
  errorsSent: Record<string, number> = {};
  slowConsumersDropped = 0;
  dependencyFailures = 0;

  constructor(private readonly gauges: { connections: () => number; subscriptions: () => number; ready: () => boolean }) {}

  countError(code: string): void {
    this.errorsSent[code] = (this.errorsSent[code] ?? 0) + 1;
  }

  countRejection(reason: string): void {
    this.connectionsRejected[reason] = (this.connectionsRejected[reason] ?? 0) + 1;
  }

  render(): string {
    const lines: string[] = [];
    const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: [string, number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
    };
    const labelled = (label: string, values: Record<string, number>): [string, number][] =>
      Object.entries(values).map(([k, v]) => [`{${label}="${k.replace(/["\\\n]/g, '_')}"}`, v]);
    metric('x7_bridge_ready', 'gauge', '1 when the bridge consumes chat.outbound and its dependencies answer', [['', this.gauges.ready() ? 1 : 0]]);
    metric('x7_bridge_connections', 'gauge', 'Open WebSocket connections', [['', this.gauges.connections()]]);
    metric('x7_bridge_subscriptions', 'gauge', 'Conversation subscriptions of open connections', [['', this.gauges.subscriptions()]]);
    metric('x7_bridge_connections_opened_total', 'counter', 'WebSocket connections accepted', [['', this.connectionsOpened]]);
    metric('x7_bridge_connections_rejected_total', 'counter', 'Upgrade requests refused, by reason', labelled('reason', this.connectionsRejected));
    metric('x7_bridge_frames_received_total', 'counter', 'Client frames received', [['', this.framesReceived]]);
    metric('x7_bridge_messages_produced_total', 'counter', 'Client messages acknowledged by Kafka', [['', this.messagesProduced]]);
    metric('x7_bridge_events_consumed_total', 'counter', 'chat.outbound records consumed', [['', this.eventsConsumed]]);
    metric('x7_bridge_events_undecodable_total', 'counter', 'chat.outbound records that could not be decoded (logged, not delivered)', [['', this.eventsUndecodable]]);
    metric('x7_bridge_events_delivered_total', 'counter', 'Live events offered to local subscribers', [['', this.eventsDelivered]]);
    metric('x7_bridge_events_replayed_total', 'counter', 'Events sent from history on subscribe', [['', this.eventsReplayed]]);
    metric('x7_bridge_errors_sent_total', 'counter', 'Error frames sent, by code', labelled('code', this.errorsSent));
    metric('x7_bridge_slow_consumers_dropped_total', 'counter', 'Connections closed because they did not keep up', [['', this.slowConsumersDropped]]);
    metric('x7_bridge_dependency_failures_total', 'counter', 'Calls that failed because a dependency was unavailable', [['', this.dependencyFailures]]);
    return `${lines.join('\n')}\n`;
  }
}
