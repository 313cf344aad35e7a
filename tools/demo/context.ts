import type { ArborClient } from '../../client/arbor-client.js';
import type { World } from './data.js';
import type { DemoNames } from './names.js';
import type { DemoOptions } from './options.js';
import type { Reporter } from './report.js';

/** What every stage gets: the client, the run's names, its options and data world, where to print. */
export interface DemoContext {
  arbor: ArborClient;
  names: DemoNames;
  options: DemoOptions;
  world: World;
  /** Connection string of the platform's blob storage (files land there). */
  storage: string;
  report: Reporter;
}
