import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

export interface LocalQueueOptions {
  name: string;
  /** Receives before a message goes to the dead-letter file, as SQS's maxReceiveCount. */
  maxReceives: number;
  deadLetterFile: string;
  /**
   * Where messages wait until their consumer acknowledges them, one file each: what a
   * stopped or killed process left there is delivered again at the next start, as SQS
   * makes an unacknowledged message visible again.
   */
  folder: string;
  /** Delay before a failed message is received again (SQS's visibility timeout, shortened). */
  retryDelayMs?: number;
}

interface StoredMessage {
  body: string;
  /** Receives so far, counted before each delivery: a crash mid-delivery counts too. */
  receives: number;
}

/**
 * The local stand-in for an SQS queue with a DLQ: messages go to the same consumer the
 * Lambda runs, one per batch; a reported failure is retried until `maxReceives`, then the
 * message is appended to a dead-letter file. Sent messages are on disk before `send`
 * returns and leave it when consumed or dead-lettered.
 */
export class LocalQueue {
  private consumer?: (event: SQSEvent) => Promise<SQSBatchResponse>;
  private inFlight = new Set<Promise<void>>();
  private closed = false;
  readonly deadLetters: string[] = [];

  constructor(private readonly options: LocalQueueOptions) {
    mkdirSync(options.folder, { recursive: true, mode: 0o700 });
  }

  attach(consumer: (event: SQSEvent) => Promise<SQSBatchResponse>): void {
    this.consumer = consumer;
  }

  send(body: string): void {
    // Sortable names: messages left over are delivered again in the order they were sent.
    const messageId = `${Date.now().toString().padStart(15, '0')}-${randomUUID()}`;
    this.store(messageId, { body, receives: 0 });
    this.track(this.deliver(messageId, 1));
  }

  /** The bodies of messages not yet acknowledged (those a previous process left, before `recover`). */
  pending(): string[] {
    return this.stored().map(({ message }) => message.body);
  }

  /** Delivers again what a previous process left unacknowledged; answers how many. */
  recover(): number {
    const left = this.stored();
    for (const { messageId, message } of left) this.track(this.deliver(messageId, message.receives + 1, 0));
    return left.length;
  }

  /** Resolves once every message sent so far has been consumed or dead-lettered. */
  async drain(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  /** Stops delivering, as a stopped process does: what is not acknowledged stays on disk for the next start. */
  close(): void {
    this.closed = true;
  }

  private track(delivery: Promise<void>): void {
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  private async deliver(messageId: string, receive: number, delayMs?: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, delayMs ?? (receive === 1 ? 0 : (this.options.retryDelayMs ?? 50) * receive)));
    if (this.closed) return;
    const body = this.read(messageId)?.body;
    if (body === undefined) return;
    this.store(messageId, { body, receives: receive });
    let failed = true;
    try {
      if (!this.consumer) throw new Error(`No consumer attached to ${this.options.name}`);
      const response = await this.consumer(sqsEvent(this.options.name, messageId, body, receive));
      failed = response.batchItemFailures.some((f) => f.itemIdentifier === messageId);
    } catch {
      failed = true;
    }
    // Stopped meanwhile: no acknowledgement, no retry here; the next start delivers it again.
    if (this.closed) return;
    if (!failed) {
      this.remove(messageId);
      return;
    }
    if (receive >= this.options.maxReceives) {
      this.deadLetters.push(body);
      appendFileSync(this.options.deadLetterFile, `${body}\n`, { mode: 0o600 });
      this.remove(messageId);
      return;
    }
    await this.deliver(messageId, receive + 1);
  }

  private path(messageId: string): string {
    return join(this.options.folder, `${messageId}.json`);
  }

  private store(messageId: string, message: StoredMessage): void {
    writeFileSync(this.path(messageId), JSON.stringify(message), { mode: 0o600 });
  }

  private read(messageId: string): StoredMessage | undefined {
    try {
      return JSON.parse(readFileSync(this.path(messageId), 'utf8')) as StoredMessage;
    } catch {
      return undefined;
    }
  }

  private remove(messageId: string): void {
    rmSync(this.path(messageId), { force: true });
  }

  private stored(): Array<{ messageId: string; message: StoredMessage }> {
    return readdirSync(this.options.folder)
      .filter((name) => name.endsWith('.json'))
      .sort()
      .flatMap((name) => {
        const messageId = name.slice(0, -'.json'.length);
        const message = this.read(messageId);
        return message ? [{ messageId, message }] : [];
      });
  }
}

function sqsEvent(queue: string, messageId: string, body: string, receive: number): SQSEvent {
  return {
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
        eventSourceARN: `arn:aws:sqs:local:000000000000:${queue}`,
        awsRegion: 'local',
      },
    ],
  };
}
