import { ConflictError } from '../platform/errors.js';
import type { FeatureView } from './definitions.js';
import type { ViewTags } from './ports.js';

/**
 * A registry definition whose tags are not the ones bound beside the online data (a registry
 * restored from elsewhere, or the online store replaced under it). Serving it would read and
 * write another view's fields, so it is refused; applying the definition again takes the
 * store's binding into the registry.
 */
export class TagBindingMismatchError extends ConflictError {
  constructor(readonly mismatches: ReadonlyArray<{ view: string; registry: ViewTags; online: Partial<ViewTags> }>) {
    const names = mismatches.map((m) => `"${m.view}"`).join(', ');
    super(
      `the online store binds other tags to feature view ${names} than the registry holds; it is not served until its definition is applied again`,
      mismatches.map((m) => ({ field: m.view, problem: `the registry holds tags ${JSON.stringify(m.registry)}, the online store binds ${JSON.stringify(m.online)}` })),
      'tag_binding_mismatch',
    );
  }
}

/** The tags a definition holds for its features, as the online store is asked to confirm them. */
export function registryTags(view: FeatureView): ViewTags {
  return { tag: view.tag, featureTags: Object.fromEntries(view.features.map((f) => [f.name, view.featureTags[f.name] ?? ''])) };
}
