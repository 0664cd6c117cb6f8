import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { UnavailableError } from '../errors/index.js';
import type { Notifier, OutboundMessage } from '../ports/index.js';

/** Mail through SES and text messages through SNS. */
export class AwsNotifier implements Notifier {
  constructor(
    private readonly ses: SESv2Client,
    private readonly sns: SNSClient,
    private readonly fromAddress: string,
  ) {}

  async send(message: OutboundMessage): Promise<void> {
    try {
      if (message.channel === 'email') {
        await this.ses.send(
          new SendEmailCommand({
            FromEmailAddress: this.fromAddress,
            Destination: { ToAddresses: [message.to] },
            Content: { Simple: { Subject: { Data: message.subject }, Body: { Text: { Data: message.body } } } },
          }),
        );
      } else {
        await this.sns.send(new PublishCommand({ PhoneNumber: message.to, Message: message.body }));
      }
    } catch (error) {
      throw new UnavailableError('notifier', { cause: error });
    }
  }
}

/**
 * The local runtime's mail and SMS: one JSON file per message in an outbox folder under
 * the data directory (mode 0600), where a developer reads the code sent.
 */
export class OutboxNotifier implements Notifier {
  constructor(private readonly folder: string) {}

  async send(message: OutboundMessage): Promise<void> {
    await mkdir(this.folder, { recursive: true, mode: 0o700 });
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}.json`;
    await writeFile(join(this.folder, name), JSON.stringify(message, null, 2), { mode: 0o600 });
  }
}
