import { SelfService } from '../../contexts/self-service/index.js';
import { OutboxNotifier } from '../../platform/notify/index.js';
import type { UnavailableError } from '../../platform/errors/index.js';
import type { Notifier } from '../../platform/ports/index.js';
import { unwired, type Wiring } from '../wiring.js';
import { customerRepositoryOf } from './customers.js';

/** The mail and text messages of this wiring: the override, the outbox folder, none, or (in AWS) the adapter passed in. */
export function notifierOf({ config, overrides }: Wiring): Notifier {
  if (overrides.notifier) return overrides.notifier;
  switch (config.notifier.provider) {
    case 'outbox':
      return new OutboxNotifier(config.notifier.folder);
    case 'none':
      return { send: async () => undefined };
    case 'aws':
      throw unwired('NOTIFY_FROM_ADDRESS');
  }
}

const logUndelivered = (error: UnavailableError) =>
  console.error(JSON.stringify({ level: 'ERROR', message: 'one-time code not sent', causeName: (error.cause as Error | undefined)?.name }));

export const selfOf = (w: Wiring): SelfService =>
  w.once(
    'self',
    () =>
      new SelfService({
        store: w.store,
        keys: w.keys,
        clock: w.clock,
        repository: customerRepositoryOf(w),
        audit: w.audit,
        notifier: notifierOf(w),
        onUndelivered: w.overrides.onUndelivered ?? logUndelivered,
      }),
  );
