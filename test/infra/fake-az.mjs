// @ts-check
// A stand-in for the Azure CLI, for test/infra/hooks.test.ts: the hooks' logic (retries,
// idempotency, clean-up, failing loudly) is tested here, where no Azure subscription can be
// reached. It implements only the commands and flags the hooks use, with the behaviour of the
// real commands that matters to them (event-subscription create is a PUT; delete asks for
// --yes; a Grafana import is refused until the role has propagated), and refuses anything else
// so a hook that starts using another command fails its test instead of passing by accident.
// State lives in the JSON file named by FAKE_AZ_STATE; every call is recorded there.
// Plain JavaScript because the hooks run it as a child process, before any build.

import { readFileSync, writeFileSync } from 'node:fs';

const statePath = process.env.FAKE_AZ_STATE;
if (!statePath) {
  process.stderr.write('fake az: FAKE_AZ_STATE is not set\n');
  process.exit(2);
}
const state = JSON.parse(readFileSync(statePath, 'utf8'));
const args = process.argv.slice(2);
state.calls.push(args);

/** @param {string} message @returns {never} */
function fail(message) {
  writeFileSync(statePath, JSON.stringify(state, null, 2));
  process.stderr.write(`ERROR: ${message}\n`);
  process.exit(1);
}

/** @param {unknown} value */
function done(value) {
  writeFileSync(statePath, JSON.stringify(state, null, 2));
  if (value !== undefined) process.stdout.write(`${JSON.stringify(value)}\n`);
  process.exit(0);
}

/** The value after --name-of-flag; the flag must be there. @param {string} flag */
function option(flag) {
  const at = args.indexOf(flag);
  if (at < 0 || at + 1 >= args.length) fail(`fake az: ${args.slice(0, 4).join(' ')} needs ${flag}`);
  return /** @type {string} */ (args[at + 1]);
}

/** @param {string} text */
const starts = (text) => args.join(' ').startsWith(text);
const output = () => (args.includes('--output') ? option('--output') : 'json');

function expectScope() {
  if (option('--resource-group') !== state.resourceGroup) fail(`ResourceGroupNotFound: ${option('--resource-group')}`);
}
function expectTopic() {
  expectScope();
  if (option('--system-topic-name') !== state.systemTopic) fail(`ResourceNotFound: system topic ${option('--system-topic-name')}`);
}
function expectApp() {
  expectScope();
  if (option('--name') !== state.functionApp) fail(`ResourceNotFound: function app ${option('--name')}`);
}

if (starts('extension show')) {
  if (!state.extensions.includes(option('--name'))) fail(`The extension ${option('--name')} is not installed.`);
  done(undefined);
} else if (starts('extension add')) {
  if (!args.includes('--yes')) fail('extension add would prompt: pass --yes');
  state.extensions.push(option('--name'));
  done(undefined);
} else if (starts('grafana dashboard import')) {
  if (!state.extensions.includes('amg')) fail("'grafana' is misspelled or not recognized by the system.");
  expectScope();
  if (option('--name') !== state.grafana.name) fail(`ResourceNotFound: grafana ${option('--name')}`);
  if (state.grafana.refuseImports > 0) {
    state.grafana.refuseImports--;
    fail('(Forbidden) The principal does not have the Grafana Admin role on this resource.');
  }
  const dashboard = JSON.parse(readFileSync(option('--definition'), 'utf8'));
  if (!dashboard.uid || !dashboard.title) fail('dashboard without uid or title');
  if (state.grafana.dashboards[dashboard.uid] && option('--overwrite') !== 'true') fail(`A dashboard with uid ${dashboard.uid} already exists`);
  state.grafana.dashboards[dashboard.uid] = dashboard.title;
  done(undefined);
} else if (starts('functionapp keys list')) {
  expectApp();
  const keys = { functionKeys: { default: 'function-key' }, masterKey: 'master-key', systemKeys: /** @type {Record<string, string>} */ ({}) };
  if (state.keyListsBeforeBlobsKey > 0) state.keyListsBeforeBlobsKey--;
  else keys.systemKeys.blobs_extension = state.blobsExtensionKey;
  done(output() === 'json' ? keys : undefined);
} else if (starts('functionapp function list')) {
  expectApp();
  done(state.functions);
} else if (starts('eventgrid system-topic event-subscription list')) {
  expectTopic();
  done(state.subscriptions.map(({ endpointUrl, ...visible }) => visible));
} else if (starts('eventgrid system-topic event-subscription create')) {
  expectTopic();
  if (option('--endpoint-type') !== 'webhook') fail('fake az: only webhook endpoints');
  if (state.validationFailures > 0) {
    state.validationFailures--;
    fail('Webhook validation handshake failed for https://.../runtime/webhooks/blobs. Http POST request failed with response code Unknown.');
  }
  const endpoint = option('--endpoint');
  const subscription = {
    name: option('--name'),
    provisioningState: 'Succeeded',
    destination: { endpointType: 'WebHook', endpointBaseUrl: endpoint.split('?')[0] },
    filter: { subjectBeginsWith: option('--subject-begins-with'), includedEventTypes: [option('--included-event-types')] },
    eventDeliverySchema: option('--event-delivery-schema'),
    retryPolicy: { maxDeliveryAttempts: Number(option('--max-delivery-attempts')), eventTimeToLiveInMinutes: Number(option('--event-ttl')) },
    endpointUrl: endpoint,
  };
  // A PUT: creates, or replaces a subscription of the same name.
  state.subscriptions = [...state.subscriptions.filter((/** @type {{ name: string }} */ s) => s.name !== subscription.name), subscription];
  done(undefined);
} else if (starts('eventgrid system-topic event-subscription delete')) {
  expectTopic();
  if (!args.includes('--yes')) fail('Are you sure you want to perform this operation? (y/n): prompt refused (no tty)');
  state.subscriptions = state.subscriptions.filter((/** @type {{ name: string }} */ s) => s.name !== option('--name'));
  done(undefined);
} else {
  fail(`fake az: unsupported command: az ${args.join(' ')}`);
}
