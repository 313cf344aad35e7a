import './style.css';
import { functionKey, setFunctionKey } from './api.js';
import { h } from './dom.js';
import { errorBox, type Page, type PageContext } from './page.js';
import { pipelinesPage, runPage, runsPage } from './pages/pipelines.js';
import { collectionPage, collectionsPage } from './pages/collections.js';
import { driftPage, driftViewPage } from './pages/drift.js';
import { featuresPage, featureViewPage } from './pages/features.js';
import { endpointPage, modelPage, rolloutPage, servingPage } from './pages/serving.js';

/** Hash routes: the function serves one index.html, and every page lives behind `#/...`. */
const routes: Array<{ pattern: RegExp; page: Page; nav: string }> = [
  { pattern: /^\/pipelines\/?$/, page: pipelinesPage, nav: 'pipelines' },
  { pattern: /^\/pipelines\/([^/]+)$/, page: runsPage, nav: 'pipelines' },
  { pattern: /^\/runs\/([^/]+)$/, page: runPage, nav: 'pipelines' },
  { pattern: /^\/serving\/?$/, page: servingPage, nav: 'serving' },
  { pattern: /^\/endpoints\/([^/]+)$/, page: endpointPage, nav: 'serving' },
  { pattern: /^\/endpoints\/([^/]+)\/rollouts\/([^/]+)$/, page: rolloutPage, nav: 'serving' },
  { pattern: /^\/models\/([^/]+)$/, page: modelPage, nav: 'serving' },
  { pattern: /^\/features\/?$/, page: featuresPage, nav: 'features' },
  { pattern: /^\/features\/([^/]+)$/, page: featureViewPage, nav: 'features' },
  { pattern: /^\/collections\/?$/, page: collectionsPage, nav: 'collections' },
  { pattern: /^\/collections\/([^/]+)$/, page: collectionPage, nav: 'collections' },
  { pattern: /^\/drift\/?$/, page: driftPage, nav: 'drift' },
  { pattern: /^\/drift\/([^/]+)$/, page: driftViewPage, nav: 'drift' },
];

const main = document.getElementById('main') as HTMLElement;
let current: AbortController | undefined;

async function show(): Promise<void> {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const path = location.hash.replace(/^#/, '') || '/pipelines';
  const match = routes.map((route) => ({ route, found: route.pattern.exec(path) })).find(({ found }) => found);
  for (const link of document.querySelectorAll<HTMLAnchorElement>('#nav a')) {
    link.classList.toggle('active', match?.route.nav === link.getAttribute('href')?.replace(/^#\//, ''));
  }
  main.replaceChildren(h('p', { class: 'loading' }, 'Loading…'));
  if (!match?.found) {
    main.replaceChildren(h('p', { class: 'error' }, `No page at ${path}.`));
    return;
  }
  const context: PageContext = {
    main,
    signal: controller.signal,
    poll(tick, ms) {
      const loop = async () => {
        if (controller.signal.aborted) return;
        let again: boolean | void = true;
        try {
          again = await tick();
        } catch (error) {
          if (!controller.signal.aborted) main.append(errorBox(error));
          again = false;
        }
        if (again !== false && !controller.signal.aborted) setTimeout(() => void loop(), ms);
      };
      void loop();
    },
  };
  try {
    await match.route.page(context, match.found.slice(1).map((part) => decodeURIComponent(part)));
  } catch (error) {
    if (!controller.signal.aborted) main.replaceChildren(errorBox(error));
  }
}

const keyInput = document.getElementById('key') as HTMLInputElement;
keyInput.value = functionKey();
document.getElementById('key-form')?.addEventListener('submit', (event) => {
  event.preventDefault();
  setFunctionKey(keyInput.value.trim());
  void show();
});
window.addEventListener('hashchange', () => void show());
void show();
