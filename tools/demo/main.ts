/**
 * `npm run demo`: the whole loop on a generated fraud data set, through the platform's public
 * API (and its landing container, where raw files arrive). Starts the platform when none
 * answers at --url, and stops it at the end. Exit codes: 0 every stage showed what it should,
 * 1 a stage failed or did not, 2 a bad command line.
 */
import { CommanderError } from 'commander';
import { parseOptions, UsageError, type DemoOptions } from './options.js';
import type { Platform } from './platform.js';
import { count, reporter, seconds } from './report.js';

async function main(argv: string[]): Promise<number> {
  let options: DemoOptions;
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (error instanceof CommanderError && error.exitCode === 0) return 0;
    if (error instanceof UsageError) {
      process.stderr.write(`npm run demo: ${error.message}\nusage: npm run demo -- [--rows N] [--url URL] [--seed N] [--rollout-interval SECONDS]\n`);
      return 2;
    }
    throw error;
  }
  // Loaded once the command line is good: a bad one is refused without loading the storage SDK.
  const [{ DemoError }, { ensurePlatform }, { runDemo }] = await Promise.all([import('./api.js'), import('./platform.js'), import('./run.js')]);
  const started = Date.now();
  console.log(`Arbor demo: ${count(options.rows)} card transactions, seed ${options.seed}, platform ${options.url}`);
  let platform: Platform | undefined;
  const report = reporter();
  try {
    platform = await ensurePlatform(options.url, (line) => console.log(line));
    const result = await runDemo({ ...options, url: platform.url }, platform.storage, report);
    console.log(`\nDone in ${seconds(Date.now() - started)}. Stage timings:`);
    for (const t of result.timings) console.log(`  ${t.stage}. ${t.title.padEnd(92)} ${t.seconds.toFixed(1).padStart(6)} s`);
    // The web console's pages for what the demo made (docs/console.md), then the API behind them.
    const consolePages = `${platform.url}/api/console/#`;
    const pages = [
      `${consolePages}/runs/${result.etl.runId}`,
      `${consolePages}/features/${result.names.cardSpend}`,
      `${consolePages}/models/${result.names.model}`,
      `${consolePages}/endpoints/${result.names.endpoint}`,
      `${consolePages}/drift/${result.names.traffic}`,
    ];
    console.log(`\n${platform.started ? 'The console pages to look at (the platform the demo started stops now: run `npm start` in another terminal and the demo against it to keep them)' : 'Look at it in the console'}:\n${pages.map((page) => `  ${page}`).join('\n')}`);
    if (result.unmet.length > 0) {
      console.error(`\nThe demo ran, but did not show everything it should:\n${result.unmet.map((p) => `  - ${p}`).join('\n')}`);
      return 1;
    }
    return 0;
  } catch (error) {
    const fetchCause = (error as { cause?: { code?: string } }).cause?.code;
    console.error(`\ndemo failed: ${error instanceof DemoError ? error.message : fetchCause ? `cannot reach the platform (${fetchCause})` : error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  } finally {
    if (platform?.started) {
      console.log('platform: stopping the one the demo started');
      await platform.stop();
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
