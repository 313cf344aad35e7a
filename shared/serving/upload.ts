import { mediaTypeOf } from '../platform/edge-policy.js';
import { BadRequestError, ValidationError } from '../platform/errors.js';
import { maxJsonDepth, nestsDeeperThan } from '../platform/json-depth.js';
import type { Services } from '../platform/services.js';
import { zodDetails } from '../platform/validation-errors.js';
import { maxArtifactBytes, readBlobBytes } from './artifacts.js';
import { versionMetadataSchema, versionRequestSchema } from './definitions.js';
import { registerModelVersion, type ModelVersion } from './registry.js';
import { maxMetadataHeaderBytes, maxVersionJsonChars, onnxContentType, versionMetadataHeader } from './requests.js';

/**
 * The two ways a version reaches POST /api/models/{name}/versions, read into one registration:
 * - `application/octet-stream`: the body is the ONNX file; the metadata (signature, metrics,
 *   lineage, stage) is JSON in the `x-arbor-version-metadata` header (at most 16 KiB);
 * - `application/json`: `{ artifact: { base64 } | { blob: { container, name } }, signature, ... }`,
 *   the file inline or a blob a pipeline wrote in a data container.
 */
export interface VersionUpload {
  contentType: string;
  metadataHeader: string | undefined;
  body: Uint8Array;
}

function parseJson(text: string, field: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new BadRequestError('invalid_json', `${field} is not valid JSON: ${reason}`, [{ field, problem: reason }]);
  }
  if (nestsDeeperThan(parsed, maxJsonDepth)) throw new BadRequestError('invalid_json', `${field} nests deeper than ${maxJsonDepth} levels`, [{ field, problem: `nests deeper than ${maxJsonDepth} levels` }]);
  return parsed;
}

export async function registerUploadedVersion(services: Services, model: string, upload: VersionUpload): Promise<ModelVersion> {
  const mediaType = mediaTypeOf(upload.contentType);
  if (mediaType === onnxContentType) {
    if (upload.body.length > maxArtifactBytes) throw new ValidationError([{ field: '(body)', problem: `is over ${maxArtifactBytes} bytes` }]);
    if (upload.metadataHeader === undefined) throw new ValidationError([{ field: versionMetadataHeader, problem: 'is required with an application/octet-stream body: the signature as JSON' }]);
    if (Buffer.byteLength(upload.metadataHeader) > maxMetadataHeaderBytes) throw new ValidationError([{ field: versionMetadataHeader, problem: `is over ${maxMetadataHeaderBytes} bytes` }]);
    const metadata = versionMetadataSchema.safeParse(parseJson(upload.metadataHeader, versionMetadataHeader));
    if (!metadata.success) throw new ValidationError(zodDetails(metadata.error.issues));
    return registerModelVersion(services, { model, artifact: upload.body, metadata: metadata.data });
  }
  if (upload.body.length > maxVersionJsonChars) throw new ValidationError([{ field: '(body)', problem: `is over ${maxVersionJsonChars} bytes` }]);
  const text = new TextDecoder().decode(upload.body);
  if (text.trim() === '') throw new BadRequestError('invalid_json', 'the body is empty; a JSON object is required', [{ field: '(body)', problem: 'is empty' }]);
  const parsed = versionRequestSchema.safeParse(parseJson(text, '(body)'));
  if (!parsed.success) throw new ValidationError(zodDetails(parsed.error.issues));
  const { artifact, ...metadata } = parsed.data;
  let bytes: Uint8Array;
  if ('base64' in artifact) {
    if (Math.floor((artifact.base64.length * 3) / 4) > maxArtifactBytes) throw new ValidationError([{ field: 'artifact.base64', problem: `decodes to over ${maxArtifactBytes} bytes` }]);
    bytes = new Uint8Array(Buffer.from(artifact.base64, 'base64'));
  } else {
    bytes = await readBlobBytes(services, artifact.blob.container, artifact.blob.name, 'artifact.blob');
  }
  return registerModelVersion(services, { model, artifact: bytes, metadata });
}
