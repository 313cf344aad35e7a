import { z } from 'zod';

/**
 * Names of containers and blobs that a caller (an API request, a pipeline author's step) may
 * give. A caller reaches data containers only: never the Functions host's secrets, durable
 * state, vector logs or another store's internals, all of which share the storage account.
 */
export const defaultDataContainers = ['landing', 'raw', 'curated', 'ingest', 'documents', 'pipelines', 'training-sets', 'exports'] as const;

let dataContainers: ReadonlySet<string> = new Set(defaultDataContainers);

/** Set once per process from settings (ARBOR_DATA_CONTAINERS); validation after uses it. */
export function setDataContainers(names: readonly string[]): void {
  dataContainers = new Set(names);
}

export function isDataContainer(name: string): boolean {
  return dataContainers.has(name);
}

const containerPattern = /^(?=.{3,63}$)[a-z0-9]+(?:-[a-z0-9]+)*$/;
const containerPatternProblem = 'is not a valid container name (3-63 of a-z, 0-9 and single "-" between them)';

/** Azure's rule: 3-63 of a-z, 0-9 and single `-` between them. */
export const containerName = z.string().regex(containerPattern, containerPatternProblem);

/** A container a caller may name: valid, and one of the data containers (one problem at a time). */
export const dataContainerName = z.string().superRefine((name, context) => {
  if (!containerPattern.test(name)) context.addIssue({ code: 'custom', message: containerPatternProblem });
  else if (!isDataContainer(name)) {
    context.addIssue({ code: 'custom', message: `container "${name}" is not a data container (allowed: ${[...dataContainers].join(', ')}; ARBOR_DATA_CONTAINERS)` });
  }
});

/** Why a blob name is not one a caller may give, or undefined. */
export function blobNameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > 1024) return 'must be 1-1024 characters';
  if (name.includes('\\')) return 'must not contain "\\"';
  // Control characters have no place in a path; some tools print them as something else.
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'must not contain control characters';
  for (const segment of name.split('/')) {
    if (segment === '') return 'must not have empty path segments (leading, trailing or doubled "/")';
    if (segment === '.' || segment === '..') return 'must not have "." or ".." path segments';
  }
  return undefined;
}

export const blobName = z.string().superRefine((name, context) => {
  const problem = blobNameProblem(name);
  if (problem) context.addIssue({ code: 'custom', message: problem });
});

/** A listing prefix: the same rules as a name, except that it may be empty or end with `/`. */
export const blobPrefix = z.string().superRefine((prefix, context) => {
  if (prefix === '') return;
  const problem = blobNameProblem(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  if (problem) context.addIssue({ code: 'custom', message: problem });
});
