import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { EngineHit, IndexParams, VectorEngine, VectorIndex } from '../engine.js';

/**
 * hnswlib-wasm, the portable engine. In Node it needs shims, all kept here and applied only
 * when this engine is loaded: the package has no main/exports (import its dist file), its
 * loader refuses to run unless `globalThis.window` exists, and its IDBFS mount needs an
 * IndexedDB (fake-indexeddb, in memory). Index bytes go through that file system: writeIndex ->
 * sync -> read the record from the IndexedDB store; and back: put the record -> sync -> readIndex.
 */
interface WasmIndex {
  initIndex(maxElements: number, m: number, efConstruction: number, randomSeed: number): void;
  readIndex(filename: string, maxElements: number): Promise<boolean> | boolean;
  writeIndex(filename: string): Promise<boolean> | boolean;
  resizeIndex(newMaxElements: number): void;
  addPoints(items: Float32Array[], labels: number[], replaceDeleted: boolean): void;
  markDelete(label: number): void;
  searchKnn(query: Float32Array, k: number, filter: ((label: number) => boolean) | undefined): { distances: number[]; neighbors: number[] };
  getCurrentCount(): number;
  getMaxElements(): number;
  setEfSearch(ef: number): void;
  delete?(): void;
}

interface WasmLibrary {
  HierarchicalNSW: new (space: string, dimension: number, autoSaveFilename: string) => WasmIndex;
  EmscriptenFileSystemManager: { setDebugLogs(enable: boolean): void; checkFileExists(name: string): boolean };
}

interface WasmModule {
  __tla?: Promise<unknown>;
  loadHnswlib(): Promise<WasmLibrary>;
  syncFileSystem(action: 'read' | 'write'): Promise<void>;
  IDBFS_STORE_NAME: string;
}

/** Where the library mounts IDBFS; also the IndexedDB database name. */
const mountPoint = '/hnswlib-index';

let loading: Promise<VectorEngine> | undefined;

export function loadWasmEngine(): Promise<VectorEngine> {
  loading ??= load();
  loading.catch(() => (loading = undefined));
  return loading;
}

async function load(): Promise<VectorEngine> {
  // Side effect only: installs an in-memory IndexedDB on globalThis (the package types no such entry).
  const fakeIndexedDb: string = 'fake-indexeddb/auto';
  await import(fakeIndexedDb);
  const globals = globalThis as { window?: unknown };
  globals.window ??= globalThis;
  // A path the package.json does not export: resolve it as a file beside the package.
  const specifier = new URL('dist/hnswlib.js', pathToFileURL(createRequire(import.meta.url).resolve('hnswlib-wasm/package.json'))).href;
  const module = (await import(specifier)) as WasmModule;
  await module.__tla;
  const lib = await quietly(() => module.loadHnswlib());
  lib.EmscriptenFileSystemManager.setDebugLogs(false);
  const storeName = module.IDBFS_STORE_NAME;
  // One file-system operation at a time: syncs of the shared mount must not interleave.
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };

  const wrap = (index: WasmIndex): VectorIndex => ({
    engine: 'wasm',
    add(vectors, labels) {
      index.addPoints(vectors as Float32Array[], labels as number[], false);
    },
    markDelete(label) {
      index.markDelete(label);
    },
    search(query, k, ef, allow) {
      const live = index.getCurrentCount();
      if (live === 0) return [];
      index.setEfSearch(Math.max(ef, k));
      const { neighbors, distances } = index.searchKnn(query, Math.min(k, live), allow);
      return neighbors.map((label, i): EngineHit => ({ label, distance: distances[i] as number }));
    },
    capacity: () => index.getMaxElements(),
    resize(capacity) {
      index.resizeIndex(capacity);
    },
    serialize: () =>
      exclusive(async () => {
        const name = `snap-${randomBytes(6).toString('hex')}.bin`;
        await quietly(async () => {
          await index.writeIndex(name);
          await module.syncFileSystem('write');
        });
        try {
          return await idbGet(storeName, `${mountPoint}/${name}`);
        } finally {
          await idbDelete(storeName, `${mountPoint}/${name}`);
          await quietly(() => module.syncFileSystem('read'));
        }
      }),
    dispose() {
      index.delete?.();
    },
  });

  return {
    name: 'wasm',
    create(params: IndexParams) {
      const index = new lib.HierarchicalNSW(params.metric, params.dimension, '');
      index.initIndex(params.capacity, params.m, params.efConstruction, 100);
      return wrap(index);
    },
    load: (params: IndexParams, bytes: Uint8Array) =>
      exclusive(async () => {
        const name = `load-${randomBytes(6).toString('hex')}.bin`;
        const key = `${mountPoint}/${name}`;
        await idbPut(storeName, key, bytes);
        const index = new lib.HierarchicalNSW(params.metric, params.dimension, '');
        try {
          await quietly(async () => {
            await module.syncFileSystem('read');
            await index.readIndex(name, params.capacity);
          });
        } finally {
          await idbDelete(storeName, key);
          await quietly(() => module.syncFileSystem('read'));
        }
        if (index.getMaxElements() < params.capacity) index.resizeIndex(params.capacity);
        return wrap(index);
      }),
  };
}

/** The library narrates its file system on stdout; keep the host's output readable. */
async function quietly<T>(task: () => Promise<T>): Promise<T> {
  const log = console.log;
  console.log = () => {};
  try {
    return await task();
  } finally {
    console.log = log;
  }
}

/** The little of IndexedDB used here (the DOM types are not in this project's lib). */
interface IdbRequest<T = unknown> {
  result: T;
  error: Error | null;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}
interface IdbStore {
  get(key: string): IdbRequest;
  put(value: unknown, key: string): IdbRequest;
  delete(key: string): IdbRequest;
}
interface IdbDatabase {
  transaction(store: string, mode: 'readonly' | 'readwrite'): { objectStore(name: string): IdbStore };
  close(): void;
}
interface IdbFactory {
  open(name: string): IdbRequest<IdbDatabase>;
}

function openDatabase(): Promise<IdbDatabase> {
  const factory = (globalThis as unknown as { indexedDB: IdbFactory }).indexedDB;
  return new Promise((resolve, reject) => {
    const request = factory.open(mountPoint);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('indexedDB open failed'));
  });
}

async function inStore<T>(storeName: string, mode: 'readonly' | 'readwrite', act: (store: IdbStore) => IdbRequest): Promise<T> {
  const db = await openDatabase();
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = act(db.transaction(storeName, mode).objectStore(storeName));
      request.onsuccess = () => resolve(request.result as T);
      request.onerror = () => reject(request.error ?? new Error('indexedDB request failed'));
    });
  } finally {
    db.close();
  }
}

async function idbGet(storeName: string, key: string): Promise<Uint8Array> {
  const record = await inStore<{ contents?: Uint8Array } | undefined>(storeName, 'readonly', (store) => store.get(key));
  if (!record?.contents) throw new Error(`hnswlib-wasm wrote no index file ${key}`);
  return new Uint8Array(record.contents);
}

async function idbPut(storeName: string, key: string, contents: Uint8Array): Promise<void> {
  await inStore(storeName, 'readwrite', (store) => store.put({ timestamp: new Date(), mode: 0o100666, contents }, key));
}

async function idbDelete(storeName: string, key: string): Promise<void> {
  await inStore(storeName, 'readwrite', (store) => store.delete(key));
}
