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

/**
 * A recipient as a drill may show it: `z***@example.com`, `+*********5678` (the last four
 * digits only), the same when masked twice, so a drill's messages and logs reveal no contact.
 */
export function maskRecipient(channel: OutboundMessage['channel'], to: string): string {
  if (channel === 'email') {
    const at = to.lastIndexOf('@');
    return at <= 0 ? '***' : `${to[0]}***${to.slice(at)}`;
  }
  // Already masked (a drill message handed on): the digits left are the last four.
  if (to.includes('*')) return to;
  const digits = to.replace(/\D/g, '');
  if (digits.length <= 4) return '*'.repeat(digits.length || 3);
  return `${to.startsWith('+') ? '+' : ''}${'*'.repeat(digits.length - 4)}${digits.slice(-4)}`;
}

/**
 * Where drill notices go in AWS: nothing is sent; one log line per message with its channel,
 * the recipient masked and an id of its own. Never the subject or the body.
 */
export class LogDrillSink implements Notifier {
  constructor(private readonly log: (line: string) => void = (line) => console.info(line)) {}

  async send(message: OutboundMessage): Promise<void> {
    this.log(JSON.stringify({ level: 'INFO', message: 'drill notice', channel: message.channel, to: maskRecipient(message.channel, message.to), messageId: randomUUID() }));
  }
}
