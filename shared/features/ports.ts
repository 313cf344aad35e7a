import type { DuckDbSession } from '../platform/duckdb.js';
import type { Entity, FeatureView } from './definitions.js';
import type { FeatureValue, JoinKeyValue } from './online-layout.js';
import type { FeatureRow } from './rows.js';

/**
 * What the feature store needs from its two stores, as ports (as Feast's OnlineStore and
 * OfflineStore): the rules (newer rows win, TTL in seconds, archived data refused, point in
 * time joins) live in the core, which reaches storage only through these.
 */

export interface OnlineWriteResult {
  written: number;
  /** Rows not written because the store already holds a row of that view at least as new. */
  older: number;
}

/** One entity's features to read: per view, the features asked for, in order. */
export interface OnlineLookup {
  entity: Entity;
  keys: Record<string, JoinKeyValue>;
  views: ReadonlyArray<{ view: FeatureView; features: readonly string[] }>;
}

/** What the store holds of one view for one entity. */
export interface StoredViewRow {
  /** The row's event time, epoch milliseconds; undefined when the store has no row of the view. */
  eventTime: number | undefined;
  /** The asked features' values, in the lookup's order; null where the row has none. */
  values: FeatureValue[];
}

/** Where a view's values live in the online layout: its tag, and a tag per feature. */
export interface ViewTags {
  tag: string;
  featureTags: Record<string, string>;
}

/** A view whose tags to bind: its features, and what it already holds, if anything. */
export interface TagRequest {
  view: string;
  features: readonly string[];
  /**
   * Tags a registry already holds for the view (written before bindings lived in the online
   * store, or restored from elsewhere): bound where the store has no binding of its own and no
   * other view or feature holds them; an existing binding always wins.
   */
  proposed?: ViewTags;
}

export interface OnlineStore {
  /**
   * The tags bound to each view and feature, in request order; new ones bound atomically
   * (existing bindings are returned unchanged). Bindings live beside the online data, so a
   * (view, feature) keeps its tag whatever happens to the registry (issue 19).
   */
  bindTags(requests: readonly TagRequest[]): Promise<ViewTags[]>;
  /**
   * Refuses (TagBindingMismatchError, a 409) views whose tags are not the ones bound in the
   * store; a view with no binding yet binds its own tags when no other holds them.
   */
  checkTags(views: readonly FeatureView[]): Promise<void>;
  /**
   * Writes each row unless the store holds a row of that view for that entity that is as new
   * or newer (by event time; equal counts as newer, so the first write of a time wins). A null
   * value removes the feature. A view with a TTL keeps the entity at least that long.
   * Refused (TagBindingMismatchError, nothing written) when the view's tags are not the ones
   * bound in the store.
   */
  write(view: FeatureView, entity: Entity, rows: readonly FeatureRow[]): Promise<OnlineWriteResult>;
  /**
   * Every lookup in one round trip; per lookup, one stored row per view, in order. Refused
   * (TagBindingMismatchError) when a view's tags are not the ones bound in the store.
   */
  read(lookups: readonly OnlineLookup[]): Promise<StoredViewRow[][]>;
}

/** One stored file of a view's rows for one event date. */
export interface Partition {
  name: string;
  /** Where it is stored, as an operator names it to rehydrate it (`offline/<view>/date=.../x.parquet`). */
  location: string;
  /** Event date of its rows, YYYY-MM-DD (UTC). */
  date: string;
  /** Not readable until rehydrated. */
  archived: boolean;
  lastModified: Date;
}

/**
 * Parquet files of each view's rows (join keys, event_timestamp in UTC, features, and
 * `_written_at`, which orders rewrites of one key and time), partitioned by event date, read
 * and written through a DuckDB session.
 */
export interface OfflineStore {
  /** The view's partitions whose event date is within [from, to] (YYYY-MM-DD, inclusive). */
  listPartitions(view: string, range?: { from?: string; to?: string }): Promise<Partition[]>;
  /** Copies partitions into the session's scratch folder; their local paths, in order. */
  fetchPartitions(session: DuckDbSession, folder: string, partitions: readonly Partition[]): Promise<string[]>;
  /**
   * Writes a typed query's rows (keys, event_timestamp, features) as one partition per event
   * date, stamped with `writtenAt`. Files are named by `part`, so writing the same part again
   * replaces it instead of adding a copy.
   */
  writeParts(session: DuckDbSession, view: FeatureView, entity: Entity, typedQuery: string, part: string, writtenAt: Date): Promise<{ rows: number; partitions: string[] }>;
  /** Moves every partition with an event date before `cutoff` (YYYY-MM-DD) to the archive tier; their names. */
  archiveBefore(cutoff: string): Promise<string[]>;
  /** Keeps a training set the session wrote at `path`; where it now lives. */
  saveTrainingSet(path: string, now: Date): Promise<{ container: string; name: string }>;
}

export interface FeatureStores {
  online: OnlineStore;
  offline: OfflineStore;
}
