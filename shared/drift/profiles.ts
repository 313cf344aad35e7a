import type { Services } from '../platform/services.js';
import type { FeatureRegistry } from '../features/definitions.js';
import { requireView } from '../features/registry.js';
import { resolveWindow, type ProfileRequest } from './requests.js';
import { sampleTrainingSet, sampleWindow, type WindowSample } from './samples.js';
import { saveProfile, type StoredProfile } from './store.js';

/** Quantiles kept per numeric feature: enough for PSI deciles, KS and Wasserstein within ~0.1%. */
export const profileQuantiles = 1_001;

/**
 * A reference profile: per feature, quantiles of the numbers or counts of the categories of a
 * window (or a training set), so later runs need not read the reference data again.
 */
export async function captureProfile(services: Services, registry: FeatureRegistry, request: ProfileRequest, now: Date): Promise<StoredProfile> {
  const resolved = requireView(registry, request.view);
  const window = request.window ? resolveWindow(request.window, now) : undefined;
  const sample = window ? await sampleWindow(services, resolved.view, window) : await sampleTrainingSet(services, resolved.view, request.trainingSet!);
  const profile: StoredProfile = {
    name: request.name,
    view: request.view,
    source: window ? { window: { start: window.start.toISOString(), end: window.end.toISOString() } } : { trainingSet: request.trainingSet! },
    rows: sample.rows,
    features: profileFeatures(sample),
    createdAt: now.toISOString(),
  };
  await saveProfile(services, profile);
  return profile;
}

/** What a profile keeps of each feature of a sample (pure: the stored form captureProfile saves). */
export function profileFeatures(sample: WindowSample): StoredProfile['features'] {
  const features: StoredProfile['features'] = {};
  for (const [name, feature] of Object.entries(sample.features)) {
    features[name] =
      feature.kind === 'numeric'
        ? { kind: 'numeric', rows: feature.rows, nulls: feature.nulls, quantiles: quantiles(feature.sorted as Float64Array, profileQuantiles) }
        : { kind: 'categorical', rows: feature.rows, nulls: feature.nulls, counts: Object.fromEntries(feature.counts ?? []) };
  }
  return features;
}

function quantiles(sorted: Float64Array, count: number): number[] {
  if (sorted.length <= count) return [...sorted];
  return Array.from({ length: count }, (_, i) => sorted[Math.round((i / (count - 1)) * (sorted.length - 1))] as number);
}

/** A stored profile as a sample: numeric features are their quantiles, marked as summarized. */
export function profileSample(profile: StoredProfile): WindowSample {
  const features: WindowSample['features'] = {};
  for (const [name, feature] of Object.entries(profile.features)) {
    features[name] =
      feature.kind === 'numeric'
        ? { kind: 'numeric', rows: feature.rows, nulls: feature.nulls, sorted: Float64Array.from(feature.quantiles ?? []), summarized: true }
        : { kind: 'categorical', rows: feature.rows, nulls: feature.nulls, counts: new Map(Object.entries(feature.counts ?? {})) };
  }
  return { rows: profile.rows, features };
}
