import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type _Record as StreamRecord,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

export interface LocalAuditStreamOptions {
  dynamodbEndpoint: string;
  /** The physical name of the table whose stream is read. */
  tableName: string;
  /** Where the position in each shard is kept between runs. */
  checkpointFile: string;
  /** The stream function's handler, as Lambda would call it. */
  consumer: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;
  /** Pause between polls that found nothing. */
  pollMs?: number;
  /** Most records per batch (the event source mapping's batch size). */
  batchSize?: number;
  /** Retries of a failing batch before it is skipped (the mapping's maximum retry attempts). */
  maxRetries?: number;
  region?: string;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

interface Checkpoint {
  streamArn?: string;
  /** The last sequence number handed over (and acknowledged) per shard. */
  shards: Record<string, string>;
  /** Closed shards read to their end. */
  finished: string[];
}

interface ShardState {
  iterator?: string;
}

const DEFAULT_POLL_MS = 200;
const DEFAULT_BATCH = 100;
const DEFAULT_RETRIES = 3;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const defaultLog = (message: string, fields: Record<string, unknown>) => console.error(JSON.stringify({ level: 'WARN', message, ...fields }));

/**
 * The audit table's DynamoDB stream, locally: what the event source mapping does in AWS. It
 * polls DynamoDB Local's stream shard by shard (new shards too, a child once its parent is
 * read to its end), hands the consumer each batch as Lambda would, and on a reported failure
 * hands the batch again from the failed record; after `maxRetries` it logs and skips the
 * batch, as the mapping's on-failure destination would take it. Positions are kept in
 * `checkpointFile`, so a restart goes on where the last run stopped.
 */
export class LocalAuditStream {
  private readonly dynamodb: DynamoDBClient;
  private readonly streams: DynamoDBStreamsClient;
  private readonly checkpoint: Checkpoint;
  private readonly shards = new Map<string, ShardState>();
  private running?: Promise<void>;
  private closed = false;
  private wake?: () => void;
  /** Passes started so far; a drain waits for an empty pass that started after it was asked. */
  private passes = 0;
  private waiters: Array<{ after: number; resolve: () => void }> = [];

  constructor(private readonly options: LocalAuditStreamOptions) {
    const client = { endpoint: options.dynamodbEndpoint, region: options.region ?? 'local', credentials };
    this.dynamodb = new DynamoDBClient(client);
    this.streams = new DynamoDBStreamsClient(client);
    this.checkpoint = readCheckpoint(options.checkpointFile);
  }

  /** Starts polling (once). */
  start(): void {
    if (this.running || this.closed) return;
    this.running = this.loop();
  }

  /** Resolves once every open shard answered no more records in a poll that began after this call. */
  drain(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.start();
    return new Promise((resolve) => {
      this.waiters.push({ after: this.passes, resolve });
      this.wake?.();
    });
  }

  /** Stops after the batch in hand; the checkpoint is on disk when it resolves. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.running;
    this.save();
    this.dynamodb.destroy();
    this.streams.destroy();
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }

  private async loop(): Promise<void> {
    while (!this.closed) {
      const pass = ++this.passes;
      let found = false;
      let failed = false;
      try {
        found = await this.poll();
      } catch (error) {
        // Not an empty pass: a drain waits for one that reads every shard.
        failed = true;
        (this.options.log ?? defaultLog)('audit stream poll failed', { errorName: (error as Error).name, detail: (error as Error).message });
      }
      if (this.closed) return;
      if (!found) {
        if (!failed) {
          const done = this.waiters.filter((w) => w.after < pass);
          this.waiters = this.waiters.filter((w) => w.after >= pass);
          done.forEach((w) => w.resolve());
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.options.pollMs ?? DEFAULT_POLL_MS);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }

  /** One pass over every readable shard; true when any handed records. */
  private async poll(): Promise<boolean> {
    const { Table } = await this.dynamodb.send(new DescribeTableCommand({ TableName: this.options.tableName }));
    const streamArn = Table?.LatestStreamArn;
    if (!streamArn) return false;
    if (this.checkpoint.streamArn !== streamArn) {
      // Another stream (the table made anew): its positions mean nothing here.
      Object.assign(this.checkpoint, { streamArn, shards: {}, finished: [] });
      this.shards.clear();
    }
    const shards = await this.listShards(streamArn);
    const known = new Set(shards.map((s) => s.ShardId));
    let found = false;
    for (const shard of shards) {
      const id = shard.ShardId!;
      if (this.checkpoint.finished.includes(id)) continue;
      // A child's records follow its parent's: read it once the parent is done (or gone).
      if (shard.ParentShardId && known.has(shard.ParentShardId) && !this.checkpoint.finished.includes(shard.ParentShardId)) continue;
      if (await this.readShard(streamArn, id)) found = true;
      if (this.closed) break;
    }
    return found;
  }

  private async listShards(streamArn: string): Promise<Shard[]> {
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const { StreamDescription } = await this.streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ...(start ? { ExclusiveStartShardId: start } : {}) }));
      shards.push(...(StreamDescription?.Shards ?? []));
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start);
    return shards;
  }

  /** Reads one shard up to where it is now, batch after batch; true when it handed any records. */
  private async readShard(streamArn: string, shardId: string): Promise<boolean> {
    const state = this.shards.get(shardId) ?? {};
    this.shards.set(shardId, state);
    let found = false;
    let renewed = false;
    while (!this.closed) {
      const fresh = state.iterator === undefined;
      state.iterator ??= await this.iterator(streamArn, shardId);
      let out;
      try {
        out = await this.streams.send(new GetRecordsCommand({ ShardIterator: state.iterator, Limit: this.options.batchSize ?? DEFAULT_BATCH }));
      } catch (error) {
        // An expired iterator, or one DynamoDB Local holds to point before the shard's first
        // record (an iterator taken while the shard was empty): ask for a new one, once.
        if ((error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException) && !(fresh && renewed)) {
          state.iterator = undefined;
          renewed = true;
          continue;
        }
        state.iterator = undefined;
        throw error;
      }
      renewed = false;
      const records = out.Records ?? [];
      state.iterator = out.NextShardIterator;
      if (records.length) {
        found = true;
        await this.deliver(streamArn, shardId, records);
      }
      if (!state.iterator) {
        // A closed shard read to its end: its children come next.
        this.checkpoint.finished.push(shardId);
        this.shards.delete(shardId);
        this.save();
        return found;
      }
      if (!records.length) return found;
    }
    return found;
  }

  private async iterator(streamArn: string, shardId: string): Promise<string> {
    const after = this.checkpoint.shards[shardId];
    const ask = (position: { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER'; SequenceNumber: string } | { ShardIteratorType: 'TRIM_HORIZON' }) =>
      this.streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ...position }));
    try {
      const out = after ? await ask({ ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }) : await ask({ ShardIteratorType: 'TRIM_HORIZON' });
      return out.ShardIterator!;
    } catch (error) {
      // The checkpointed record has aged out of the stream: start from the oldest one kept.
      if (!(error instanceof TrimmedDataAccessException)) throw error;
      return (await ask({ ShardIteratorType: 'TRIM_HORIZON' })).ShardIterator!;
    }
  }

  /** Hands a batch over; a reported failure is retried from that record, then skipped. */
  private async deliver(streamArn: string, shardId: string, records: StreamRecord[]): Promise<void> {
    let pending = records.map((record) => lambdaRecord(record, streamArn, this.options.region ?? 'local'));
    for (let attempt = 0; ; attempt++) {
      let failed: string | undefined;
      try {
        const response = await this.options.consumer({ Records: pending });
        failed = response?.batchItemFailures?.[0]?.itemIdentifier;
      } catch {
        // A handler that throws fails the whole batch.
        failed = pending[0]!.dynamodb!.SequenceNumber;
      }
      if (failed === undefined) {
        this.advance(shardId, pending[pending.length - 1]!);
        return;
      }
      const at = Math.max(0, pending.findIndex((r) => r.dynamodb?.SequenceNumber === failed));
      if (at > 0) this.advance(shardId, pending[at - 1]!);
      pending = pending.slice(at);
      if (attempt >= (this.options.maxRetries ?? DEFAULT_RETRIES)) {
        (this.options.log ?? defaultLog)('audit stream batch skipped after its retries', {
          shardId,
          records: pending.length,
          firstSequenceNumber: pending[0]!.dynamodb?.SequenceNumber,
        });
        this.advance(shardId, pending[pending.length - 1]!);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  }

  private advance(shardId: string, record: DynamoDBRecord): void {
    this.checkpoint.shards[shardId] = record.dynamodb!.SequenceNumber!;
    this.save();
  }

  private save(): void {
    const temporary = `${this.options.checkpointFile}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.checkpoint));
    renameSync(temporary, this.options.checkpointFile);
  }
}

function readCheckpoint(file: string): Checkpoint {
  if (!existsSync(file)) return { shards: {}, finished: [] };
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Checkpoint>;
    return { ...(parsed.streamArn ? { streamArn: parsed.streamArn } : {}), shards: { ...(parsed.shards ?? {}) }, finished: [...(parsed.finished ?? [])] };
  } catch {
    return { shards: {}, finished: [] };
  }
}

/** A stream record as Lambda delivers it (times in epoch seconds, the stream's ARN as source). */
function lambdaRecord(record: StreamRecord, streamArn: string, region: string): DynamoDBRecord {
  const change = record.dynamodb ?? {};
  const created = change.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName as DynamoDBRecord['eventName'],
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion ?? region,
    eventSourceARN: streamArn,
    dynamodb: {
      ...(created ? { ApproximateCreationDateTime: Math.floor(new Date(created).getTime() / 1000) } : {}),
      Keys: change.Keys as NonNullable<DynamoDBRecord['dynamodb']>['Keys'],
      ...(change.NewImage ? { NewImage: change.NewImage as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'] } : {}),
      SequenceNumber: change.SequenceNumber,
      SizeBytes: change.SizeBytes,
      StreamViewType: change.StreamViewType as NonNullable<DynamoDBRecord['dynamodb']>['StreamViewType'],
    },
  };
}
