import { createHash } from 'node:crypto';
import { RestError } from '@azure/storage-blob';
import { BadRequestError } from '../platform/errors.js';
import type { Services } from '../platform/services.js';
import { callDependency } from '../storage/dependency.js';

/**
 * Model files in blob storage, content-addressed: `models/<model>/sha256/<hex>.onnx`. A name
 * is written once and never again (its bytes are its name), so a version's file cannot change
 * under it, and registering the same bytes twice stores them once. The container is Arbor's
 * own, not a data container: a caller cannot name it in a request or a pipeline step.
 */
export const modelsContainer = 'models';

/** The largest ONNX file a version may have (inline, uploaded or from a blob). */
export const maxArtifactBytes = 64 * 1024 * 1024;

export interface ArtifactRef {
  container: string;
  name: string;
  sha256: string;
  bytes: number;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function artifactName(model: string, sha256: string): string {
  return `${model}/sha256/${sha256}.onnx`;
}

/** Stores a model file under its hash; when the name exists, the same bytes are already there. */
export async function writeArtifact(services: Services, model: string, bytes: Uint8Array): Promise<ArtifactRef> {
  await services.ensureContainer(modelsContainer);
  const sha256 = sha256Hex(bytes);
  const name = artifactName(model, sha256);
  await callDependency('blob', async () => {
    try {
      await services.blob
        .getContainerClient(modelsContainer)
        .getBlockBlobClient(name)
        .uploadData(bytes, { conditions: { ifNoneMatch: '*' }, blobHTTPHeaders: { blobContentType: 'application/octet-stream' } });
    } catch (error) {
      if (!(error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412))) throw error;
    }
  });
  return { container: modelsContainer, name, sha256, bytes: bytes.length };
}

/** Reads a blob whole, refusing one over the size bound before downloading it. */
export async function readBlobBytes(services: Services, container: string, name: string, field: string): Promise<Uint8Array> {
  return callDependency('blob', async () => {
    const client = services.blob.getContainerClient(container).getBlobClient(name);
    try {
      const properties = await client.getProperties();
      const size = properties.contentLength ?? 0;
      if (size > maxArtifactBytes) throw new BadRequestError('artifact_too_large', `${container}/${name} is ${size} bytes, over the ${maxArtifactBytes}-byte limit`, [{ field, problem: `is over ${maxArtifactBytes} bytes` }]);
      return new Uint8Array(await client.downloadToBuffer());
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) {
        throw new BadRequestError('artifact_not_found', `${container}/${name} does not exist`, [{ field, problem: 'does not exist' }]);
      }
      if (error instanceof RestError && error.code === 'BlobArchived') {
        throw new BadRequestError('artifact_archived', `${container}/${name} is in the archive tier: rehydrate it (set its tier to Hot or Cool) first`, [{ field, problem: 'is in the archive tier' }]);
      }
      throw error;
    }
  });
}

/** A stored version's file, checked against the SHA-256 it was registered with. */
export async function readArtifact(services: Services, artifact: ArtifactRef): Promise<Uint8Array> {
  const bytes = await readBlobBytes(services, artifact.container, artifact.name, 'artifact');
  const sha = sha256Hex(bytes);
  if (sha !== artifact.sha256) throw new Error(`${artifact.container}/${artifact.name} has SHA-256 ${sha}, not the ${artifact.sha256} it was registered with`);
  return bytes;
}
