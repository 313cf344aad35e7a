import type { HistoryEvent } from './history.js';
import { blankInstance, type InboxItem, type Instance, type RetryAllocation, type RetryChain, type RuntimeStatus, type TaskRecord } from './instance.js';
import type { LogLine, StoredExecution } from './instance-log.js';

/**
 * The lines an instance's log holds, and the instance read back from them. Every change is
 * written as one of these before the backend acts on it, so what `restoreInstance` rebuilds is
 * exactly what had happened when the host stopped.
 */

/** The task book: sequence numbers and the tasks and retry chains they stand for. */
interface Book {
  nextSequence: number;
  actionCount: number;
  tasks: TaskRecord[];
  chains: RetryChain[];
}

export function createdLine(instance: Instance): LogLine {
  return { t: 'created', name: instance.name, input: instance.input ?? null, createdTime: instance.createdTime, parent: instance.parent ?? null };
}

export function receivedLine(item: InboxItem): LogLine {
  return { t: 'received', key: item.key, event: item.event, ...(item.retry ? { retry: item.retry } : {}) };
}

/** One replay: what it consumed from the inbox, the events it added, and where it left the instance. */
export function episodeLine(instance: Instance, consumed: string[], events: HistoryEvent[]): LogLine {
  return {
    t: 'episode',
    consumed,
    events,
    book: bookOf(instance),
    status: instance.status,
    output: instance.output ?? null,
    customStatus: instance.customStatus ?? null,
    at: instance.lastUpdatedTime,
  };
}

export function statusLine(instance: Instance): LogLine {
  return { t: 'status', status: instance.status, output: instance.output, at: instance.lastUpdatedTime };
}

/** The instance as its log describes it; undefined for a log that never recorded its creation. */
export function restoreInstance(stored: StoredExecution): Instance | undefined {
  const [first, ...rest] = stored.lines;
  if (!first || first.t !== 'created') return undefined;
  const instance = blankInstance({
    id: stored.instanceId,
    name: String(first.name),
    execution: stored.execution,
    input: first.input,
    createdTime: String(first.createdTime),
    parent: (first.parent as Instance['parent']) ?? undefined,
  });
  for (const line of rest) {
    if (line.t === 'received') {
      instance.inbox.push({ key: String(line.key), event: line.event as HistoryEvent, retry: line.retry as RetryAllocation | undefined });
      instance.received++;
    } else if (line.t === 'episode') {
      const consumed = new Set(line.consumed as string[]);
      instance.inbox = instance.inbox.filter((item) => !consumed.has(item.key));
      instance.history.push(...(line.events as HistoryEvent[]));
      applyBook(instance, line.book as Book);
      instance.status = line.status as RuntimeStatus;
      instance.output = line.output;
      instance.customStatus = line.customStatus;
      instance.lastUpdatedTime = String(line.at);
    } else if (line.t === 'status') {
      instance.status = line.status as RuntimeStatus;
      instance.output = line.output;
      instance.lastUpdatedTime = String(line.at);
    }
  }
  return instance;
}

function bookOf(instance: Instance): Book {
  return {
    nextSequence: instance.nextSequence,
    actionCount: instance.actionCount,
    tasks: [...instance.tasks.values()],
    chains: [...instance.chains.values()],
  };
}

function applyBook(instance: Instance, book: Book): void {
  instance.nextSequence = book.nextSequence;
  instance.actionCount = book.actionCount;
  instance.tasks = new Map(book.tasks.map((task) => [task.seq, task]));
  instance.chains = new Map(book.chains.map((chain) => [chain.id, chain]));
}
