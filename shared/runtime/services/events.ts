import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgePublisher, FileEventPublisher } from '../../platform/events/index.js';
import type { EventPublisher } from '../../platform/ports/index.js';
import type { Wiring } from '../wiring.js';

/** Where domain events go; only the functions whose services publish carry the EventBridge client. */
export const eventsOf = (w: Wiring): EventPublisher =>
  w.once('events', (): EventPublisher => {
    if (w.overrides.events) return w.overrides.events;
    const { config } = w;
    switch (config.events.provider) {
      case 'eventbridge':
        return new EventBridgePublisher(w.instrument(new EventBridgeClient({ region: config.region })), config.events.busName);
      case 'file':
        return new FileEventPublisher(config.events.path);
      case 'none':
        return { publish: async () => undefined };
    }
  });
