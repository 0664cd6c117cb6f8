import { randomUUID } from 'node:crypto';
import type { AuditContext, AuditTrail } from '../../platform/audit/index.js';
import { NotFoundError, PreconditionFailedError } from '../../platform/errors/index.js';
import { ConditionFailedError, type Clock, type QueryPage, type Store, type StoreItem, type Write } from '../../platform/ports/index.js';
import { dataTable } from '../../platform/store/tables.js';
import { querySharded, shardKey } from '../../platform/store/sharded.js';
import {
  DEFAULT_EFFECT_DAYS,
  REPORT_EFFECT_DAYS,
  type CreateImprovementInput,
  type ImprovementAction,
  type ImprovementEffect,
  type ImprovementSummary,
  type ListImprovementsQuery,
  type ReportedImprovement,
  type UpdateImprovementInput,
} from './report-schemas.js';
import { ComplaintStatsReader, addDays, dateOfDay, dayNumber, localDate } from './stats.js';

const T = dataTable.name;
const key = (id: string) => ({ pk: `IMPROVEMENT#${id}`, sk: 'IMPROVEMENT' as const });
/** The sharded index partition every improvement action is listed under. */
export const IMPROVEMENT_LIST = 'IMPROVEMENT';
/** Actions a report lists, and how many of the newest it looks through for them. */
const REPORT_ACTIONS = 50;
const REPORT_LOOKS_THROUGH = 500;

type ImprovementFields = Omit<ImprovementAction, 'effect'>;
/** Local days, from and to inclusive. */
type Span = [from: string, to: string];
type ImprovementItem = ImprovementFields & StoreItem & { pk: string; sk: 'IMPROVEMENT' };

/** The days of these spans (an empty span, `to` before `from`, has none). */
function daysOf(spans: Span[]): string[] {
  const days = new Set<string>();
  for (const [from, to] of spans) for (let day = dayNumber(from); day <= dayNumber(to); day++) days.add(dateOfDay(day));
  return [...days];
}

/** Storage of improvement actions: one item each, listed newest first by a sharded index. */
class ImprovementRepository {
  constructor(
    private readonly store: Store,
    private readonly shards: number,
  ) {}

  find(id: string): Promise<ImprovementItem | undefined> {
    return this.store.get<ImprovementItem>(T, key(id));
  }

  write(action: ImprovementFields, expectedVersion?: number): Write {
    const { pk: _p, sk: _s, gsi1pk: _a, gsi1sk: _b, kind: _k, ...fields } = action as ImprovementFields & StoreItem;
    return {
      op: 'put',
      table: T,
      item: {
        ...fields,
        ...key(action.id),
        kind: 'improvement-action',
        gsi1pk: shardKey(IMPROVEMENT_LIST, action.id, this.shards),
        gsi1sk: `${action.createdAt}#${action.id}`,
      },
      condition: expectedVersion === undefined ? { kind: 'absent' } : { kind: 'version', version: expectedVersion },
      label: 'improvement-action',
    };
  }

  /** `createdBefore`: a bound on the sort key (a date sorts before every instant of that day). */
  list(filters: { status?: string; createdBefore?: string }, page: { limit: number; cursor?: string }): Promise<QueryPage<ImprovementItem>> {
    return querySharded<ImprovementItem>(this.store, {
      table: T,
      index: 'gsi1',
      partition: { name: 'gsi1pk', prefix: IMPROVEMENT_LIST, shards: this.shards },
      range: { name: 'gsi1sk', ...(filters.createdBefore ? { to: filters.createdBefore } : {}) },
      filters: filters.status ? [{ name: 'status', equals: filters.status }] : [],
      descending: true,
      ...page,
    });
  }
}

/**
 * Improvement actions (CMP-4): what is done about a root cause or a category of complaints,
 * by whom, by when, and its effect measured afterwards: the complaints with that cause
 * (resolutions) or of that category (intake) in the `effectDays` local days before the
 * action was created, beside those in as many days after it was done, from the same day
 * aggregates the report reads. The action text is the organisation's own, never a customer's.
 */
export class ImprovementActionService {
  private readonly repository: ImprovementRepository;

  constructor(
    private readonly deps: {
      store: Store;
      shards: number;
      clock: Clock;
      audit: AuditTrail;
      timeZone: () => Promise<string> | string;
    },
  ) {
    this.repository = new ImprovementRepository(deps.store, deps.shards);
  }

  async create(input: CreateImprovementInput, context: AuditContext): Promise<ImprovementAction> {
    const now = this.deps.clock.now().toISOString();
    const status = input.status ?? 'planned';
    const action: ImprovementFields = {
      id: randomUUID(),
      ...(input.cause ? { cause: input.cause } : {}),
      ...(input.category ? { category: input.category } : {}),
      action: input.action,
      owner: input.owner,
      dueDate: input.dueDate,
      status,
      effectDays: input.effectDays ?? DEFAULT_EFFECT_DAYS,
      createdAt: now,
      createdBy: context.actor.id,
      updatedAt: now,
      ...(status === 'done' ? { doneAt: now } : {}),
      version: 1,
    };
    await this.deps.audit.commit(context, [this.audited('improvement-action.create', action.id)], [this.repository.write(action)]);
    return this.present(action);
  }

  async get(id: string): Promise<ImprovementAction> {
    return this.present(await this.load(id));
  }

  /** A page of actions, without their effects: a page of 50 would read up to 50 x 180 days x shards counters. */
  async list(query: ListImprovementsQuery): Promise<QueryPage<ImprovementSummary>> {
    const page = await this.repository.list(query.status ? { status: query.status } : {}, {
      limit: query.limit ?? 20,
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    const items = page.items.map((item) => this.fields(item));
    return page.cursor ? { items, cursor: page.cursor } : { items };
  }

  /** Changes status, text, owner or due date, if the action is still at the version read. */
  async update(id: string, input: UpdateImprovementInput, context: AuditContext): Promise<ImprovementAction> {
    const current = this.fields(await this.load(id));
    if (current.version !== input.version) {
      throw new PreconditionFailedError(`The improvement action is at version ${current.version}; read it again.`, 'version');
    }
    const now = this.deps.clock.now().toISOString();
    const status = input.status ?? current.status;
    const { doneAt: _done, ...rest } = current;
    const doneAt = status !== 'done' ? undefined : current.status === 'done' && current.doneAt ? current.doneAt : now;
    const next: ImprovementFields = {
      ...rest,
      ...(input.action !== undefined ? { action: input.action } : {}),
      ...(input.owner !== undefined ? { owner: input.owner } : {}),
      ...(input.dueDate !== undefined ? { dueDate: input.dueDate } : {}),
      status,
      updatedAt: now,
      ...(doneAt ? { doneAt } : {}),
      version: current.version + 1,
    };
    try {
      await this.deps.audit.commit(context, [this.audited('improvement-action.update', id)], [this.repository.write(next, current.version)]);
    } catch (error) {
      if (error instanceof ConditionFailedError) throw new PreconditionFailedError('The improvement action changed meanwhile; read it again.', 'version');
      throw error;
    }
    return this.present(next);
  }

  /**
   * The actions that matter to a report from `from` to `to`: created by its end and not done
   * before its start, newest first, each with its effect (read through the report's reader)
   * while the days the effects need outside the range fit REPORT_EFFECT_DAYS, without it after.
   */
  async during(from: string, to: string, reader: ComplaintStatsReader, timeZone: string): Promise<ReportedImprovement[]> {
    const found: ImprovementItem[] = [];
    let cursor: string | undefined;
    let seen = 0;
    // Created on the local day `to` at the latest: every instant of that day is before `to` + 2 in UTC, in any zone.
    const createdBefore = addDays(to, 2);
    do {
      const page = await this.repository.list({ createdBefore }, { limit: 100, ...(cursor ? { cursor } : {}) });
      seen += page.items.length;
      for (const item of page.items) {
        const created = localDate(new Date(item.createdAt), timeZone);
        const done = item.doneAt ? localDate(new Date(item.doneAt), timeZone) : undefined;
        if (created <= to && (done === undefined || done >= from)) found.push(item);
      }
      cursor = page.cursor;
    } while (cursor && found.length < REPORT_ACTIONS && seen < REPORT_LOOKS_THROUGH);
    const actions = found.slice(0, REPORT_ACTIONS);
    // The days outside the range each action's effect needs, newest action first, while they fit the budget.
    const extra = new Set<string>();
    const measured = new Set<ImprovementItem>();
    for (const item of actions) {
      const needed = daysOf(Object.values(this.windows(item, timeZone))).filter((day) => (day < from || day > to) && !extra.has(day));
      if (extra.size + needed.length > REPORT_EFFECT_DAYS) continue;
      needed.forEach((day) => extra.add(day));
      measured.add(item);
    }
    // Every day any of them needs, read once and together (actions of one period share days).
    await reader.preload([...measured].flatMap((item) => Object.values(this.windows(item, timeZone))));
    const out: ReportedImprovement[] = [];
    for (const item of actions) {
      out.push(measured.has(item) ? { ...this.fields(item), effect: await this.effectOf(item, reader, timeZone) } : this.fields(item));
    }
    return out;
  }

  /** One action with its effect: at most 2 x MAX_EFFECT_DAYS x shards counter items. */
  private async present(item: ImprovementFields): Promise<ImprovementAction> {
    const timeZone = await this.deps.timeZone();
    const reader = new ComplaintStatsReader(this.deps.store, this.deps.shards);
    await reader.preload(Object.values(this.windows(item, timeZone)));
    return { ...this.fields(item), effect: await this.effectOf(item, reader, timeZone) };
  }

  /**
   * The local days an action's effect counts: the `effectDays` before the day it was created,
   * and once done, the as many after the day it was done that are over (today is not).
   */
  private windows(action: ImprovementFields, timeZone: string): { before: Span; after?: Span } {
    const days = action.effectDays;
    const created = localDate(new Date(action.createdAt), timeZone);
    const before: Span = [addDays(created, -days), addDays(created, -1)];
    if (!action.doneAt) return { before };
    const done = localDate(new Date(action.doneAt), timeZone);
    const yesterday = addDays(localDate(this.deps.clock.now(), timeZone), -1);
    // Empty (`to` before `from`) until the first day after it is over.
    return { before, after: [addDays(done, 1), addDays(done, days) < yesterday ? addDays(done, days) : yesterday] };
  }

  private async effectOf(action: ImprovementFields, reader: ComplaintStatsReader, timeZone: string): Promise<ImprovementEffect> {
    const days = action.effectDays;
    const measure = action.cause ? 'cause' : 'category';
    const counter = action.cause ? `cause:${action.cause}` : `category:${action.category}`;
    const { before, after } = this.windows(action, timeZone);
    const counted = (await reader.total(...before))[counter] ?? 0;
    if (!after) return { measure, days, before: counted, after: null, afterDays: 0 };
    const afterDays = Math.max(0, dayNumber(after[1]) - dayNumber(after[0]) + 1);
    return { measure, days, before: counted, after: (await reader.total(...after))[counter] ?? 0, afterDays };
  }

  private async load(id: string): Promise<ImprovementItem> {
    const item = await this.repository.find(id);
    if (!item) throw new NotFoundError('No improvement action has this id.', 'id');
    return item;
  }

  private fields(item: ImprovementFields): ImprovementFields {
    const { pk: _p, sk: _s, gsi1pk: _a, gsi1sk: _b, kind: _k, ...fields } = item as ImprovementFields & StoreItem;
    return fields as ImprovementFields;
  }

  private audited(action: string, id: string) {
    return { action, target: { type: 'improvement-action', id } };
  }
}
