import { randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

export interface LocalQueueOptions {
  name: string;
  /** Receives before a message goes to the dead-letter file, as SQS's maxReceiveCount. */
  maxReceives: number;
  deadLetterFile: string;
  /** Delay before a failed message is received again (SQS's visibility timeout, shortened). */
  retryDelayMs?: number;
}

/**
 * The local stand-in for an SQS queue with a DLQ: messages go to the same consumer the
 * Lambda runs, one per batch; a reported failure is retried until `maxReceives`, then the
 * message is appended to a dead-letter file.
 */
export class LocalQueue {
  private consumer?: (event: SQSEvent) => Promise<SQSBatchResponse>;
  private inFlight = new Set<Promise<void>>();
  readonly deadLetters: string[] = [];

  constructor(private readonly options: LocalQueueOptions) {}

  attach(consumer: (event: SQSEvent) => Promise<SQSBatchResponse>): void {
    this.consumer = consumer;
  }

  send(body: string): void {
    const delivery = this.deliver(randomUUID(), body, 1);
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  /** Resolves once every message sent so far has been consumed or dead-lettered. */
  async drain(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  private async deliver(messageId: string, body: string, receive: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, receive === 1 ? 0 : (this.options.retryDelayMs ?? 50) * receive));
    let failed = true;
    try {
      if (!this.consumer) throw new Error(`No consumer attached to ${this.options.name}`);
      const event: SQSEvent = {
        Records: [
          {
            messageId,
            receiptHandle: `${messageId}:${receive}`,
            body,
            attributes: {
              ApproximateReceiveCount: String(receive),
              SentTimestamp: String(Date.now()),
              SenderId: 'local',
              ApproximateFirstReceiveTimestamp: String(Date.now()),
            },
            messageAttributes: {},
            md5OfBody: '',
            eventSource: 'aws:sqs',
            eventSourceARN: `arn:aws:sqs:local:000000000000:${this.options.name}`,
            awsRegion: 'local',
          },
        ],
      };
      const response = await this.consumer(event);
      failed = response.batchItemFailures.some((f) => f.itemIdentifier === messageId);
    } catch {
      failed = true;
    }
    if (!failed) return;
    if (receive >= this.options.maxReceives) {
      this.deadLetters.push(body);
      await appendFile(this.options.deadLetterFile, `${body}\n`, { mode: 0o600 });
      return;
    }
    await this.deliver(messageId, body, receive + 1);
  }
}
