import { z } from 'zod';
import { blobName, dataContainerName } from '../storage/blob-names.js';
import { filterSchema } from '../vectors/filter.js';

const collection = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, - and _ (1-63)');
export const documentId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@/-]{0,199}$/, 'letters, digits and . _ @ / - (1-200), starting with a letter or digit');
const metadataValue = z.union([z.string().max(256), z.number(), z.boolean()]);

const metadata = z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'is not a valid metadata name'), metadataValue);
const reservedMetadata = (value: { metadata?: Record<string, unknown> | undefined }) => !value.metadata || !('documentId' in value.metadata || 'chunk' in value.metadata);
const reservedMessage = { message: '"documentId" and "chunk" are set by Arbor', path: ['metadata'] };

export const documentRequestSchema = z
  .strictObject({
    id: documentId.optional(),
    title: z.string().min(1).max(300).optional(),
    text: z.string().min(1, 'must not be empty').optional(),
    blob: z.strictObject({ container: dataContainerName.default('documents'), name: blobName }).optional(),
    format: z.enum(['markdown', 'text', 'html', 'pdf']).optional(),
    metadata: metadata.optional(),
    collection: collection.optional(),
  })
  .refine((body) => (body.text === undefined) !== (body.blob === undefined), { message: 'give exactly one of "text" or "blob"', path: ['text'] })
  .refine(reservedMetadata, reservedMessage);

/** The first message of DocumentService.Upload: the document's metadata; its text follows in pieces. */
export const uploadMetadataSchema = z
  .strictObject({
    id: documentId.optional(),
    title: z.string().min(1).max(300).optional(),
    format: z.enum(['markdown', 'text', 'html']).default('markdown'),
    metadata: metadata.optional(),
    collection: collection.optional(),
  })
  .refine(reservedMetadata, reservedMessage);

export const askRequestSchema = z.strictObject({
  question: z.string().trim().min(1, 'must not be empty').max(2_000),
  k: z.number().int().min(1).max(20).default(5),
  collection: collection.optional(),
  /** Metadata filter, as vector search takes it: equality, ranges, `in`. */
  filter: filterSchema.optional(),
  stream: z.boolean().default(false),
  /** How to retrieve: both fused (default), or one alone (for comparison, as rag:eval does). */
  retrieval: z.enum(['fused', 'vector', 'keyword']).default('fused'),
});

export const collectionQuery = collection;
