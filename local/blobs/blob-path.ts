/**
 * A blob trigger path such as `landing/{dataset}/{file}` or `images/{name}.png`: the container,
 * then a pattern whose `{params}` bind to parts of the blob name. Every parameter but the last
 * stops at '/'; the last takes the rest, so `{name}` alone matches blobs in virtual folders too.
 */
export interface BlobPath {
  container: string;
  pattern: string;
  match(blobName: string): Record<string, string> | undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function parseBlobPath(path: string): BlobPath {
  const slash = path.indexOf('/');
  const container = slash < 0 ? path : path.slice(0, slash);
  const pattern = slash < 0 ? '' : path.slice(slash + 1);
  if (!/^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])?$/.test(container)) {
    throw new Error(`blob path "${path}": "${container}" is not a valid container name`);
  }
  if (/[{}]/.test(container)) throw new Error(`blob path "${path}": the container cannot be a parameter`);
  const names: string[] = [];
  const pieces = pattern.split(/(\{[A-Za-z_]\w*\})/).filter((piece) => piece !== '');
  const lastParam = pieces.map((piece) => piece.startsWith('{')).lastIndexOf(true);
  let source = '^';
  pieces.forEach((piece, index) => {
    if (piece.startsWith('{')) {
      names.push(piece.slice(1, -1));
      source += index === lastParam ? '(.+)' : '([^/]+)';
    } else {
      if (/[{}]/.test(piece)) throw new Error(`blob path "${path}": malformed parameter in "${piece}"`);
      source += escapeRegExp(piece);
    }
  });
  // An empty pattern (`container`) takes every blob, with no parameters.
  const regex = new RegExp(pattern === '' ? '^.+$' : `${source}$`);
  return {
    container,
    pattern,
    match(blobName) {
      const found = regex.exec(blobName);
      if (!found) return undefined;
      const params: Record<string, string> = {};
      names.forEach((name, index) => (params[name] = found[index + 1] as string));
      return params;
    },
  };
}
