import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { LocalQueue } from '../../local/queue.js';

/** The local stand-in for SQS keeps what it was sent until its consumer acknowledges it, across restarts. */
const queueIn = (dir: string) =>
  new LocalQueue({ name: 'test', maxReceives: 3, deadLetterFile: join(dir, 'dlq.jsonl'), folder: join(dir, 'queue'), retryDelayMs: 1 });
const ok = async (): Promise<SQSBatchResponse> => ({ batchItemFailures: [] });
const failing = async (event: SQSEvent): Promise<SQSBatchResponse> => ({ batchItemFailures: [{ itemIdentifier: event.Records[0]!.messageId }] });

describe('LocalQueue', () => {
  it('delivers again, at the next start, a message a stopped process never acknowledged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kehu-queue-'));
    const first = queueIn(dir);
    let started!: () => void;
    const delivering = new Promise<void>((resolve) => (started = resolve));
    // The consumer never returns: the process stops while it works.
    first.attach(async () => {
      started();
      return new Promise<SQSBatchResponse>(() => {});
    });
    first.send('{"id":1}');
    await delivering;
    first.close();
    expect(readdirSync(join(dir, 'queue'))).toHaveLength(1);

    const second = queueIn(dir);
    const received: Array<{ body: string; receive: string }> = [];
    second.attach(async (event) => {
      received.push({ body: event.Records[0]!.body, receive: event.Records[0]!.attributes.ApproximateReceiveCount });
      return ok();
    });
    expect(second.pending()).toEqual(['{"id":1}']);
    expect(second.recover()).toBe(1);
    await second.drain();
    // Its second receive: the first counted although it never finished.
    expect(received).toEqual([{ body: '{"id":1}', receive: '2' }]);
    expect(readdirSync(join(dir, 'queue'))).toEqual([]);
    expect(queueIn(dir).recover()).toBe(0);
  });

  it('keeps nothing once consumed, and dead-letters to its file after the last receive', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kehu-queue-'));
    const queue = queueIn(dir);
    queue.attach(ok);
    queue.send('{"id":"fine"}');
    await queue.drain();
    expect(readdirSync(join(dir, 'queue'))).toEqual([]);

    let receives = 0;
    queue.attach(async (event) => {
      receives += 1;
      return failing(event);
    });
    queue.send('{"id":"poison"}');
    await queue.drain();
    expect(receives).toBe(3);
    expect(queue.deadLetters).toEqual(['{"id":"poison"}']);
    expect(readFileSync(join(dir, 'dlq.jsonl'), 'utf8')).toBe('{"id":"poison"}\n');
    expect(readdirSync(join(dir, 'queue'))).toEqual([]);
  });
});
