import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { UnavailableError } from '../errors/index.js';
import type { DomainEvent, EventPublisher } from '../ports/index.js';

/** Domain events to an EventBridge bus; rules route them to queues. */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(events: DomainEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += 10) {
      const batch = events.slice(i, i + 10);
      const out = await this.client
        .send(
          new PutEventsCommand({
            Entries: batch.map((event) => ({
              EventBusName: this.busName,
              Source: 'kehu',
              DetailType: event.type,
              Detail: JSON.stringify(event),
              Time: new Date(event.at),
            })),
          }),
        )
        .catch((error: unknown) => {
          throw new UnavailableError('event-bus', { cause: error });
        });
      if (out.FailedEntryCount) throw new UnavailableError('event-bus');
    }
  }
}

/** The local runtime's bus: one JSON line per event in a file under the data directory. */
export class FileEventPublisher implements EventPublisher {
  constructor(private readonly path: string) {}

  async publish(events: DomainEvent[]): Promise<void> {
    if (!events.length) return;
    await mkdir(dirname(this.path), { recursive: true });
    await appendFile(this.path, events.map((e) => `${JSON.stringify(e)}\n`).join(''), { mode: 0o600 });
  }
}
