import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobClient } from '../support/clients.js';
import { grpc, grpcAddress, grpcClients } from '../support/grpc-client.js';
import { startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';

/**
 * DocumentService.Upload holds one staged block at a time, whatever the document's size: a
 * 200 MB document streamed in 64 KB pieces must not grow the server's resident memory by
 * 64 MB. The host's RSS is read from /proc while the stream runs; the figure is printed.
 */
let host: HostProcess;
let clients: ReturnType<typeof grpcClients>;
const collection = uniqueName('bigupload');

const rssOf = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

function upload(pieces: number, piece: Buffer): Promise<{ value?: Record<string, string>; error?: grpc.ServiceError }> {
  return new Promise((resolve) => {
    const stream = clients.documents.upload((error: grpc.ServiceError | null, value: Record<string, string>) => resolve(error ? { error } : { value }));
    stream.write({ metadata: { id: `big-${pieces}`, collection, format: 'text' } });
    let sent = 0;
    // Respects the stream's backpressure, as a client streaming a file does.
    const pump = () => {
      while (sent < pieces) {
        sent++;
        if (!stream.write({ data: piece })) {
          stream.once('drain', pump);
          return;
        }
      }
      stream.end();
    };
    pump();
  });
}

beforeAll(async () => {
  host = await startHostProcess();
  clients = grpcClients(grpcAddress(host));
}, 60_000);

afterAll(async () => {
  clients?.close();
  await host?.stop();
  // Azurite keeps blobs in memory in the tests: give the 200 MB back.
  const container = blobClient().getContainerClient('rag-uploads');
  for await (const blob of container.listBlobsFlat({ prefix: `${collection}/` })) await container.deleteBlob(blob.name);
});

describe('a 200 MB document streamed to DocumentService.Upload', () => {
  it('is stored with the server growing by less than 64 MB', async () => {
    const line = 'Arbor streams documents in pieces; the server keeps one block at a time.\n';
    const piece = Buffer.alloc(64 * 1024, line);
    const pid = host.process.pid as number;
    const cold = rssOf(pid);
    // Warm up with 16 MiB: the code paths load and V8's young generation grows to its working
    // size under this allocation rate (up to 3 x 16 MB semi-spaces on Node 20, whatever the
    // document's size). The baseline counts them; what is left to measure is growth with size.
    expect((await upload(256, piece)).error).toBeUndefined();
    const baseline = rssOf(pid);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 50);
    const pieces = 3_200; // 3,200 x 64 KiB = 200 MiB
    const started = performance.now();
    const result = await upload(pieces, piece);
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, rssOf(pid));
    const growthMb = (peak - baseline) / 1024 / 1024;
    const mb = (bytes: number) => (bytes / 1048576).toFixed(0);
    console.log(`${(pieces / 16).toFixed(0)} MiB upload: RSS cold ${mb(cold)} MB, after a 16 MiB warm-up ${mb(baseline)} MB, peak ${mb(peak)} MB (+${growthMb.toFixed(1)} MB over the warm baseline, +${((peak - cold) / 1048576).toFixed(1)} MB over cold) in ${seconds.toFixed(1)} s`);
    expect(result.error).toBeUndefined();
    expect(result.value).toMatchObject({ status: 'stored', bytes: String(pieces * piece.length), collection, id: `big-${pieces}` });
    expect(growthMb).toBeLessThan(64);
    const stored = [];
    for await (const blob of blobClient().getContainerClient('rag-uploads').listBlobsFlat({ prefix: `${collection}/` })) stored.push(blob.properties.contentLength);
    expect(stored).toContain(pieces * piece.length);
  }, 300_000);
});
