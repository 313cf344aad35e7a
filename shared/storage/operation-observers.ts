/**
 * Who hears of each storage operation: the platform floor counts them as metrics (storage is
 * the floor below it and cannot import the registry). The counts are the machine-independent
 * cost of a request or a pipeline step: in Azure each one is billed (Cosmos DB request units)
 * and each one is a network round trip.
 */
export interface StorageOperation {
  /** cosmos: Cosmos DB (run records, registries); blob: a blob write or read counted where it is part of a unit of work (a durable instance's history). */
  store: 'cosmos' | 'blob';
  /** read (point read), query (a page or all pages of one query), write (create, upsert, replace, patch), delete. */
  operation: 'read' | 'query' | 'write' | 'delete';
  container: string;
}

const observers = new Set<(operation: StorageOperation) => void>();

/** Calls `observer` for every storage operation from now on; the returned function stops it. */
export function observeStorageOperations(observer: (operation: StorageOperation) => void): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

export function recordStorageOperation(operation: StorageOperation): void {
  for (const observer of observers) observer(operation);
}
