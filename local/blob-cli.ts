/**
 * `npm run blob -- ls|put|get`: the local blob store without the az CLI. It talks to the storage
 * the running host uses (see blob-connection.ts), so the upload step of a tutorial is one line.
 */
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { BlobServiceClient } from '@azure/storage-blob';
import { findAppRoot } from '../shared/platform/settings.js';
import { blobNameProblem, blobPrefix, containerName } from '../shared/storage/blob-names.js';
import { localBlobConnectionString } from './blob-connection.js';

const usage = `usage:
  npm run blob -- ls [<container>[/<prefix>]]     containers, or the blobs under a prefix
  npm run blob -- put <file> <container>/<name>   upload a file
  npm run blob -- get <container>/<name> [<file>] download to a file, or to stdout`;

class UsageError extends Error {}

/** `container/name` as the two parts, each checked as the platform checks blob paths. */
function blobPath(path: string | undefined, nameRequired: boolean): { container: string; name: string } {
  if (!path) throw new UsageError('a <container>/<name> path is required');
  const slash = path.indexOf('/');
  const container = slash < 0 ? path : path.slice(0, slash);
  const name = slash < 0 ? '' : path.slice(slash + 1);
  const containerCheck = containerName.safeParse(container);
  if (!containerCheck.success) throw new UsageError(`container "${container}": ${containerCheck.error.issues[0]?.message ?? 'invalid'}`);
  if (nameRequired) {
    const problem = blobNameProblem(name);
    if (problem) throw new UsageError(`blob name "${name}": ${problem}`);
  } else if (name) {
    const prefixCheck = blobPrefix.safeParse(name);
    if (!prefixCheck.success) throw new UsageError(`prefix "${name}": ${prefixCheck.error.issues[0]?.message ?? 'invalid'}`);
  }
  return { container, name };
}

async function main(args: string[]): Promise<void> {
  const [command, ...rest] = args;
  if (!command || !['ls', 'put', 'get'].includes(command)) throw new UsageError(command ? `unknown command "${command}"` : 'a command is required');
  const service = BlobServiceClient.fromConnectionString(localBlobConnectionString(findAppRoot(), process.env));
  if (command === 'ls') {
    if (!rest[0]) {
      for await (const container of service.listContainers()) console.log(container.name);
      return;
    }
    const { container, name: prefix } = blobPath(rest[0], false);
    for await (const blob of service.getContainerClient(container).listBlobsFlat({ prefix })) {
      console.log(`${String(blob.properties.contentLength ?? 0).padStart(12)}  ${blob.properties.lastModified?.toISOString() ?? ''}  ${blob.name}`);
    }
    return;
  }
  if (command === 'put') {
    const [file, path] = rest;
    if (!file) throw new UsageError('a <file> to upload is required');
    const target = blobPath(path, true);
    const size = (await stat(file)).size;
    const container = service.getContainerClient(target.container);
    await container.createIfNotExists();
    await container.getBlockBlobClient(target.name).uploadFile(file);
    console.log(`put ${target.container}/${target.name} (${size} bytes)`);
    return;
  }
  const [path, file] = rest;
  const source = blobPath(path, true);
  const download = await service.getContainerClient(source.container).getBlobClient(source.name).download();
  if (!download.readableStreamBody) throw new Error('the blob has no body');
  await pipeline(download.readableStreamBody, file ? createWriteStream(file) : process.stdout);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n${usage}`);
    process.exit(2);
  }
  const status = (error as { statusCode?: number }).statusCode;
  console.error(status === 404 ? 'not found' : error instanceof Error ? error.message : String(error));
  process.exit(1);
});
