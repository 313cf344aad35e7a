import { BadRequestError, ValidationError, type ErrorDetail } from '../platform/errors.js';
import type { Services } from '../platform/services.js';
import type { FeatureRegistry } from '../features/definitions.js';
import type { OfflineStore } from '../features/ports.js';
import { requireView } from '../features/registry.js';
import { evaluateDrift, pValueTests } from './evaluate.js';
import { driftDetected, driftLastRun, driftNullRate, driftRuns, driftScore } from './metrics.js';
import { profileSample } from './profiles.js';
import type { DriftReport } from './report.js';
import { resolveWindow, type DriftRunRequest, type TestName } from './requests.js';
import { sampleKind, sampleWindow } from './samples.js';
import { readProfile, saveReport, type StoredReport } from './store.js';

const numericTests: ReadonlySet<TestName> = new Set(['psi', 'ks', 'wasserstein', 'wasserstein_normed']);
const dayMs = 86_400_000;
const daysOf = (window: { start: Date; end: Date }) => (window.end.getTime() - window.start.getTime()) / dayMs;
const categoricalTests: ReadonlySet<TestName> = new Set(['psi', 'chi_square', 'jensen_shannon']);

/** Compares a view's current window with its reference, stores the report and sets the gauges. */
export async function runDrift(services: Services, offline: OfflineStore, registry: FeatureRegistry, request: DriftRunRequest, now: Date): Promise<StoredReport> {
  const { view } = requireView(registry, request.view);
  const problems: ErrorDetail[] = [];
  const typeOf = (feature: string) => view.features.find((f) => f.name === feature)?.type;
  if (request.label !== undefined) {
    const type = typeOf(request.label);
    if (type !== 'bool' && type !== 'int64') problems.push({ field: 'label', problem: type ? `is ${type}; a label must be bool or int64 (0/1)` : `is not a feature of ${view.name}` });
  }
  for (const [feature, choice] of Object.entries(request.tests ?? {})) {
    const type = typeOf(feature);
    const kind = type && sampleKind(type);
    if (!kind) problems.push({ field: `tests.${feature}`, problem: type ? `${type} features have no drift test` : `is not a feature of ${view.name}` });
    else if (choice.test && feature !== request.label && !(kind === 'numeric' ? numericTests : categoricalTests).has(choice.test)) {
      problems.push({ field: `tests.${feature}.test`, problem: `${choice.test} does not apply to ${type} features` });
    } else if (choice.test && feature === request.label && choice.test !== 'proportions' && choice.test !== 'psi') {
      problems.push({ field: `tests.${feature}.test`, problem: 'a label is tested by proportions or psi' });
    }
    if (choice.test === 'wasserstein' && choice.threshold === undefined) {
      problems.push({ field: `tests.${feature}.threshold`, problem: "wasserstein is in the feature's units: give a threshold, or use wasserstein_normed" });
    }
    if (choice.threshold !== undefined && pValueTests.has(choice.test ?? 'psi') && choice.threshold >= 1) {
      problems.push({ field: `tests.${feature}.threshold`, problem: 'a p-value threshold must be below 1' });
    }
  }
  if (problems.length) throw new ValidationError(problems);

  try {
    let referenceSample;
    let reference: DriftReport['reference'];
    let referenceDays: number | undefined;
    if ('profile' in request.reference) {
      const profile = await readProfile(services, view.name, request.reference.profile);
      if (!profile) throw new BadRequestError('unknown_profile', `no profile "${request.reference.profile}" for ${view.name}`, [{ field: 'reference.profile', problem: `no such profile for ${view.name}` }]);
      referenceSample = profileSample(profile);
      reference = { profile: profile.name };
      const source = profile.source.window;
      // A profile of a training set has no window: its rows are compared as counts.
      if (source) referenceDays = daysOf({ start: new Date(source.start), end: new Date(source.end) });
    } else {
      const window = resolveWindow(request.reference, now);
      referenceSample = await sampleWindow(offline, view, window);
      reference = { start: window.start.toISOString(), end: window.end.toISOString() };
      referenceDays = daysOf(window);
    }
    const currentWindow = resolveWindow(request.current, now);
    const currentSample = await sampleWindow(offline, view, currentWindow);
    const evaluation = evaluateDrift(referenceSample, currentSample, {
      label: request.label,
      tests: request.tests,
      days: { reference: referenceDays, current: daysOf(currentWindow) },
    });
    const report: DriftReport = {
      view: view.name,
      ranAt: now.toISOString(),
      reference,
      current: { start: currentWindow.start.toISOString(), end: currentWindow.end.toISOString() },
      ...(request.label ? { label: request.label } : {}),
      ...evaluation,
    };
    const stored = await saveReport(services, report);
    for (const [feature, result] of Object.entries(report.features)) {
      if (result.score !== null) driftScore.set({ view: view.name, feature, test: result.test }, result.score);
      driftDetected.set({ view: view.name, feature, test: result.test }, result.drifted ? 1 : 0);
      driftNullRate.set({ view: view.name, feature }, report.quality.features[feature]?.nullRate.current ?? 0);
    }
    driftLastRun.set({ view: view.name }, now.getTime() / 1000);
    driftRuns.inc({ view: view.name, outcome: report.drifted ? 'drifted' : 'stable' });
    return stored;
  } catch (error) {
    driftRuns.inc({ view: view.name, outcome: 'failed' });
    throw error;
  }
}
