/**
 * The OpenAPI paths a Functions route template serves: `datasets/{name?}` is two paths
 * (`datasets` and `datasets/{name}`), a catch-all `{*id}` is the parameter `{id}` (which may
 * hold slashes), and a constraint (`{n:int}`) is the schema's business, not the path's.
 */
export function openApiPaths(route: string): string[] {
  const segments = route.replace(/^\/+|\/+$/g, '').split('/');
  const paths: string[] = [];
  const kept: string[] = [];
  for (const segment of segments) {
    const param = /^\{\*?(\w+)(?::\w+)?(\?)?\}$/.exec(segment);
    if (param?.[2]) paths.push(kept.join('/'));
    kept.push(param ? `{${param[1]}}` : segment);
  }
  paths.push(kept.join('/'));
  return paths;
}
