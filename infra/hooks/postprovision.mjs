// @ts-check
// azd postprovision (sh and pwsh alike: `node infra/hooks/postprovision.mjs`): imports the
// Grafana dashboards in infra/monitoring/dashboards/*.json into Azure Managed Grafana.
//
// The Grafana Admin role of the deploying user is assigned by the same provisioning, and a new
// role assignment can take minutes to reach Grafana: until then an import is refused. Each import
// is retried with backoff, and if one still fails the hook fails (azure.yaml continueOnError:
// false), saying which dashboard and how to run it again. Idempotent: an import overwrites the
// dashboard of the same uid.

import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { az, requireEnv, runHook, withRetries } from './azure-cli.mjs';

const dashboardsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'monitoring', 'dashboards');

/** The `amg` extension provides `az grafana`; added once, left alone when present. */
async function ensureGrafanaExtension() {
  try {
    await az(['extension', 'show', '--name', 'amg', '--output', 'none']);
  } catch {
    console.log('Azure CLI: adding the amg extension (az grafana)');
    await az(['extension', 'add', '--name', 'amg', '--yes', '--output', 'none']);
  }
}

async function main() {
  const grafana = process.env.AZURE_GRAFANA_NAME;
  if (!grafana) {
    console.log('Grafana not deployed (deployGrafana=false): no dashboards to import');
    return;
  }
  const resourceGroup = requireEnv('AZURE_RESOURCE_GROUP');
  const dashboards = (await readdir(dashboardsDir)).filter((file) => file.endsWith('.json')).sort();
  if (dashboards.length === 0) throw new Error(`no dashboards in ${dashboardsDir}`);
  await ensureGrafanaExtension();
  for (const file of dashboards) {
    await withRetries(`Grafana: import ${file}`, () =>
      az(['grafana', 'dashboard', 'import', '--resource-group', resourceGroup, '--name', grafana, '--definition', join(dashboardsDir, file), '--overwrite', 'true', '--output', 'none']),
    );
    console.log(`Grafana: imported ${file}`);
  }
}

runHook('postprovision', main);
