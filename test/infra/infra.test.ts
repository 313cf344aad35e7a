import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostSettingsSchema } from '../../local/settings.js';
import { settingsSchema } from '../../shared/platform/settings.js';
import { blockAfter, parseSimpleYaml, read, root, sourceFiles, stripComments, topLevelKeys } from './bicep-source.js';

/**
 * Offline checks of infra/ against the code: no Azure and no Bicep compiler needed (see
 * docs/deploy.md for the checks only `az bicep build` / `azd provision --preview` can do).
 * Each failure names the setting, container or parameter and the file to fix.
 */

const mainBicepPath = 'infra/main.bicep';
const functionAppPath = 'infra/modules/function-app.bicep';
const storagePath = 'infra/modules/storage.bicep';
const mainBicep = read(mainBicepPath);
const functionApp = read(functionAppPath);

const appSettingsBody = blockAfter(functionApp, /var appSettings = \{/);
const bicepSettings = topLevelKeys(appSettingsBody);
const bicepSettingValue = (name: string): string | undefined =>
  new RegExp(`^\\s*${name}\\s*:\\s*(.+)$`, 'm').exec(stripComments(appSettingsBody))?.[1]?.trim();

/** A Bicep parameter's default value in a file, as written (`'text'`, `180`), if it has one. */
function parameterDefault(source: string, name: string): string | undefined {
  return new RegExp(`^param\\s+${name}\\s+\\w+\\s*=\\s*(.+)$`, 'm').exec(stripComments(source))?.[1]?.trim();
}

/**
 * What an app setting is when a deployment passes no parameter: a literal, followed through
 * `string(...)`, the module's parameter defaults and what main.bicep passes (its parameters'
 * defaults and vars). Undefined when it is computed (outputs, interpolation).
 */
function bicepSettingDefault(name: string): string | undefined {
  let expression = bicepSettingValue(name);
  let source = functionApp;
  for (let hop = 0; expression !== undefined && hop < 4; hop++) {
    expression = /^string\((.+)\)$/.exec(expression)?.[1] ?? expression;
    const literal = /^'([^'$]*)'$/.exec(expression)?.[1] ?? /^-?\d+(\.\d+)?$/.exec(expression)?.[0];
    if (literal !== undefined) return literal;
    if (!/^\w+$/.test(expression)) return undefined;
    const identifier = expression;
    if (source === functionApp) {
      expression = parameterDefault(functionApp, identifier) ?? new RegExp(`^\\s*${identifier}:\\s*(.+)$`, 'm').exec(blockAfter(stripComments(mainBicep), /^module\s+app\s+'modules\/function-app\.bicep'\s*=\s*\{/m))?.[1]?.trim();
      source = mainBicep;
    } else {
      expression = parameterDefault(mainBicep, identifier) ?? new RegExp(`^var\\s+${identifier}\\s*=\\s*(.+)$`, 'm').exec(stripComments(mainBicep))?.[1]?.trim();
    }
  }
  return undefined;
}

describe('app settings: shared/platform/settings.ts <-> infra/modules/function-app.bicep', () => {
  const schemaSettings = Object.keys(settingsSchema.shape);

  /** In the schema, deliberately not set in Azure. */
  const localOnly: Record<string, string> = {
    AzureWebJobsStorage: 'a connection string (with an account key) or UseDevelopmentStorage=true; Azure uses the identity-based AzureWebJobsStorage__* settings',
    COSMOS_KEY: 'an account key; in Azure the managed identity is used (keys are disabled on the account)',
    WEBSITE_INSTANCE_ID: 'set by the platform on every instance',
    ARBOR_HOST_ID: 'a local/test override of the instance name; Azure has WEBSITE_INSTANCE_ID',
    AZURE_OPENAI_API_KEY: 'a key for a local or non-Entra endpoint; in Azure the managed identity gets Entra tokens',
  };

  /** Set in Azure, not in the schema: who reads each, and (when it is the code) which file. */
  const readElsewhere: Record<string, { by: string; file?: string }> = {
    AzureWebJobsStorage__accountName: { by: 'the Functions host (identity-based AzureWebJobsStorage)' },
    AzureWebJobsStorage__queueServiceUri: { by: 'the Functions host (blob trigger poison queue)' },
    AzureWebJobsStorage__tableServiceUri: { by: 'the Functions host' },
    AzureWebJobsStorage__credential: { by: 'the Functions host' },
    AzureWebJobsStorage__clientId: { by: 'the Functions host' },
    APPLICATIONINSIGHTS_CONNECTION_STRING: { by: 'the Functions host (telemetry)' },
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: { by: 'the Functions host (Entra auth for telemetry)' },
    DURABLE_TASK_SCHEDULER_CONNECTION_STRING: { by: 'the durable extension, named by host.json storageProvider.connectionStringName', file: 'host.json' },
  };

  it.each(schemaSettings.filter((name) => !(name in localOnly)))('%s is set on the Function App', (name) => {
    expect(
      bicepSettings.includes(name),
      `setting ${name} (shared/platform/settings.ts) is not an app setting in ${functionAppPath}: add \`${name}: ...\` to var appSettings, or to localOnly in test/infra/infra.test.ts with the reason`,
    ).toBe(true);
  });

  it('a value Bicep gives a setting by default is the schema default (one default per setting)', () => {
    const fixed = schemaSettings.filter((name) => bicepSettings.includes(name)).map((name) => [name, bicepSettingDefault(name)] as const);
    // The resolution itself works: a literal, a parameter default through string(), a var in main.bicep.
    expect(Object.fromEntries(fixed)).toMatchObject({ ARBOR_VECTOR_ENGINE: 'auto', ARBOR_OFFLINE_ARCHIVE_AFTER_DAYS: '180', COSMOS_DATABASE: 'arbor', REDIS_URL: undefined });
    for (const [name, value] of fixed) {
      const schemaDefault = settingsSchema.shape[name as keyof typeof settingsSchema.shape].safeParse(undefined).data;
      // An empty app setting counts as unset, so the schema default applies.
      if (value === undefined || value === '' || schemaDefault === undefined) continue;
      expect(value, `${functionAppPath} sets ${name} to '${value}' by default, but shared/platform/settings.ts defaults it to '${String(schemaDefault)}'`).toBe(String(schemaDefault));
    }
  });

  it('the local-only settings exist in the schema and are not set in Azure', () => {
    for (const name of Object.keys(localOnly)) {
      expect(schemaSettings, `localOnly lists ${name}, which shared/platform/settings.ts no longer has`).toContain(name);
      expect(bicepSettings, `${name} is local-only (${localOnly[name]}) but ${functionAppPath} sets it`).not.toContain(name);
    }
  });

  it("the local host's own settings (local/settings.ts) are not app settings in Azure", () => {
    for (const name of Object.keys(hostSettingsSchema.shape)) {
      expect(bicepSettings, `${name} is a local host setting (local/settings.ts), which Azure's own host decides; ${functionAppPath} must not set it`).not.toContain(name);
    }
  });

  it('every app setting in Bicep is read by the code or by the host', () => {
    expect(bicepSettings.length, `no settings read from var appSettings in ${functionAppPath}`).toBeGreaterThanOrEqual(30);
    for (const name of bicepSettings) {
      const elsewhere = readElsewhere[name];
      expect(
        schemaSettings.includes(name) || elsewhere !== undefined,
        `${functionAppPath} sets ${name}, which neither shared/platform/settings.ts nor readElsewhere (test/infra/infra.test.ts) knows`,
      ).toBe(true);
      if (elsewhere?.file) expect(read(elsewhere.file), `${name} should be read by ${elsewhere.file}`).toContain(name);
    }
    for (const name of Object.keys(readElsewhere)) {
      expect(bicepSettings, `readElsewhere lists ${name}, but ${functionAppPath} no longer sets it`).toContain(name);
    }
  });

  it('timers register their schedule from the parsed settings, never as a %SETTING% binding', () => {
    const bound: string[] = [];
    const registered: string[] = [];
    for (const file of sourceFiles('functions')) {
      const source = readFileSync(file, 'utf8');
      for (const match of source.matchAll(/'%(\w+)%'/g)) bound.push(match[1] as string);
      for (const match of source.matchAll(/schedule:\s*registrationSetting\('(\w+)'\)/g)) registered.push(match[1] as string);
    }
    // A %SETTING% is resolved by the host from raw app settings: the schema default would never
    // apply, and Azure would not start without the setting.
    expect(bound, 'functions/ binds to %SETTING%: register registrationSetting("<NAME>") instead').toEqual([]);
    expect(registered.sort(), 'every *_SCHEDULE setting is some timer\'s schedule').toEqual(schemaSettings.filter((name) => name.endsWith('_SCHEDULE')).sort());
  });

  it('identity-based and Flex-compatible: no keys, no settings Flex refuses, the values Azure needs', () => {
    expect(stripComments(appSettingsBody)).not.toMatch(/listKeys|AccountKey=|primaryKey|COSMOS_KEY|SharedAccessSignature/);
    for (const refused of ['FUNCTIONS_WORKER_RUNTIME', 'FUNCTIONS_EXTENSION_VERSION', 'WEBSITE_CONTENTSHARE', 'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING', 'WEBSITE_NODE_DEFAULT_VERSION', 'AzureWebJobsStorage']) {
      expect(bicepSettings, `Flex Consumption refuses ${refused} as an app setting (or it carries a key)`).not.toContain(refused);
    }
    expect(bicepSettingValue('ARBOR_BLOB_TRIGGER_SOURCE')).toBe("'EventGrid'");
    // Health reads the topic's subscriptions with the app's identity, from this cloud's Resource Manager.
    expect(bicepSettingValue('ARBOR_BLOB_TRIGGER_TOPIC_ID')).toBe('blobEventsTopicId');
    expect(bicepSettingValue('ARBOR_ARM_ENDPOINT')).toBe('environment().resourceManager');
    expect(readFileSync(join(root, 'infra/modules/storage.bicep'), 'utf8')).toMatch(/scope: blobEvents[\s\S]{0,200}eventGridSubscriptionReader\)/);
    expect(bicepSettingValue('AzureWebJobsStorage__credential')).toBe("'managedidentity'");
    expect(bicepSettingValue('REDIS_ENTRA_AUTH')).toBe("'true'");
    // A cluster client exactly when the database's clustering policy is OSS, from the one parameter.
    expect(bicepSettingValue('REDIS_CLUSTER')).toBe("redisCluster ? 'true' : 'false'");
    const redisModule = readFileSync(join(root, 'infra/modules/redis.bicep'), 'utf8');
    expect(redisModule).toMatch(/clusteringPolicy: clusteringPolicy\n/);
    expect(redisModule).toContain("output clusterClient bool = clusteringPolicy == 'OSSCluster'");
    expect(mainBicep).toMatch(/clusteringPolicy: redisClusteringPolicy\n/);
    expect(mainBicep).toMatch(/redisCluster: redis\.outputs\.clusterClient\n/);
    expect(bicepSettingValue('DURABLE_TASK_SCHEDULER_CONNECTION_STRING')).toMatch(/Authentication=ManagedIdentity;ClientID=\$\{identityClientId\}/);
    expect(bicepSettingValue('AZURE_CLIENT_ID')).toBe('identityClientId');
    // The archive age the code uses is the one the lifecycle policy uses.
    expect(bicepSettingValue('ARBOR_OFFLINE_ARCHIVE_AFTER_DAYS')).toBe('string(offlineArchiveAfterDays)');
  });
});

describe('storage: containers the code uses exist in infra/', () => {
  const bicepContainers = [...blockAfter(mainBicep, /var codeContainers = \[/, '[').matchAll(/'([a-z0-9-]+)'/g)].map((m) => m[1] as string);

  /** Found by reading the code: `xxxContainer = '<name>'` constants and blob trigger paths. */
  function containersInCode(): Map<string, string> {
    const found = new Map<string, string>();
    for (const file of sourceFiles('shared', 'functions')) {
      const source = readFileSync(file, 'utf8');
      for (const match of source.matchAll(/\b\w*[cC]ontainer\w*\s*(?::\s*string\s*)?=\s*'([a-z0-9-]{3,63})'/g)) found.set(match[1] as string, relative(root, file));
      // Blob triggers name their container through blobTriggerOptions (health checks their subscriptions by it).
      if (/\bapp\.storageBlob\(/.test(source) && !/blobTriggerOptions\(/.test(source)) throw new Error(`${relative(root, file)}: a blob trigger without blobTriggerOptions`);
      for (const match of source.matchAll(/\bblobTriggerOptions\('[\w-]+',\s*'([a-z0-9-]{3,63})\//g)) found.set(match[1] as string, relative(root, file));
    }
    return found;
  }

  /** Named here because no constant in the code spells them. */
  const explicit: Record<string, string> = {
    'azure-webjobs-hosts': 'the Functions host keeps locks and blob trigger receipts there; Arbor records poison blobs under blobpoison/ (README)',
    documents: 'RAG source documents (issue: RAG), provisioned ahead of the code',
    vectors: 'vector index shards and snapshots (issue: vector search), provisioned ahead of the code',
  };

  /** Used by the code but deliberately not provisioned. */
  const notInAzure: Record<string, string> = {
    // local/host.ts keeps orchestration history in durable-<hub>; Azure uses the Durable Task Scheduler.
  };

  it('finds the containers in the code (the scan itself works)', () => {
    const found = containersInCode();
    expect(found.get('landing')).toBe('functions/datasets/catalog-landed-file.ts');
    expect(found.has('pipelines')).toBe(true);
  });

  it.each([...containersInCode()].filter(([name]) => !(name in notInAzure)))('container %s (used in %s) is in infra/main.bicep', (name, file) => {
    expect(bicepContainers, `container "${name}" (used in ${file}) is missing from var codeContainers in ${mainBicepPath}`).toContain(name);
  });

  it('the explicitly named containers are in infra/main.bicep, and nothing unexplained is', () => {
    const code = containersInCode();
    for (const name of Object.keys(explicit)) expect(bicepContainers, `container "${name}" (${explicit[name]}) is missing from ${mainBicepPath}`).toContain(name);
    for (const name of bicepContainers) {
      expect(code.has(name) || name in explicit, `${mainBicepPath} creates container "${name}", which the code does not use and the test does not explain`).toBe(true);
    }
  });

  it('durable-<hub> is not needed in Azure because host.json uses the Durable Task Scheduler', () => {
    const host = JSON.parse(read('host.json')) as { extensions: { durableTask: { storageProvider?: { type?: string } } } };
    expect(host.extensions.durableTask.storageProvider?.type).toBe('azureManaged');
    expect(read('local/host.ts')).toContain('durable-${');
    expect(Object.keys(notInAzure)).toEqual([]);
  });

  it('every Cosmos DB container the code defines is declared with the same partition key', () => {
    const declared = new Map(
      [...blockAfter(mainBicep, /var cosmosContainers = \[/, '[').matchAll(/\{\s*id:\s*'([^']+)',\s*partitionKey:\s*'([^']+)'\s*\}/g)].map((m) => [m[1] as string, m[2] as string]),
    );
    const defined = new Map<string, string>();
    for (const file of sourceFiles('shared')) {
      for (const match of readFileSync(file, 'utf8').matchAll(/ContainerDefinition\s*=\s*\{\s*id:\s*'([^']+)',\s*partitionKey:\s*'([^']+)'/g)) {
        defined.set(match[1] as string, match[2] as string);
      }
    }
    expect(defined.size).toBeGreaterThanOrEqual(4);
    for (const [id, key] of defined) {
      expect(declared.get(id), `Cosmos container "${id}" (partition key ${key}) is missing from var cosmosContainers in ${mainBicepPath} (the app has no key, so it cannot create it)`).toBe(key);
    }
    for (const id of declared.keys()) expect(defined.has(id), `${mainBicepPath} declares Cosmos container "${id}", which no ContainerDefinition in shared/ defines`).toBe(true);
  });

  it('storage is identity-only with an archive lifecycle for offline/ driven by the parameter', () => {
    const storage = read(storagePath);
    expect(storage).toMatch(/allowSharedKeyAccess:\s*false/);
    expect(storage).toMatch(/allowBlobPublicAccess:\s*false/);
    const start = storage.indexOf("name: 'offline-cool-then-archive'");
    expect(start, `${storagePath} has no offline-cool-then-archive rule`).toBeGreaterThan(0);
    const offlineRule = blockAfter(storage.slice(start), /definition:\s*\{/);
    expect(offlineRule).toContain("prefixMatch: ['offline/']");
    expect(offlineRule).toMatch(/tierToArchive:\s*\{\s*daysAfterModificationGreaterThan:\s*offlineArchiveAfterDays\s*\}/);
    expect(mainBicep).toMatch(/offlineArchiveAfterDays:\s*offlineArchiveAfterDays/);
  });
});

describe('Bicep hygiene (what can be checked without the compiler)', () => {
  const bicepFiles = ['infra/main.bicep', ...readdirSync(join(root, 'infra/modules')).filter((f) => f.endsWith('.bicep')).map((f) => `infra/modules/${f}`)];

  it('every resource pins a GA API version and nothing reads keys', () => {
    expect(bicepFiles.length).toBe(10);
    let moduleReferences = 0;
    for (const file of bicepFiles) {
      const source = stripComments(read(file));
      const resources = [...source.matchAll(/^\s*resource\s+\w+\s+'([^']+)'/gm)].map((m) => m[1] as string);
      expect(resources.length, `${file} declares no resource`).toBeGreaterThan(0);
      for (const type of resources) {
        expect(type, `${file}: ${type} has no pinned API version`).toMatch(/^[\w.]+\/[\w/]+@\d{4}-\d{2}-\d{2}$/);
      }
      expect(source, `${file} must not read keys`).not.toMatch(/listKeys\(|listConnectionStrings\(|AccountKey=|\.primaryKey\b/);
      for (const module of source.matchAll(/^\s*module\s+\w+\s+'([^']+)'/gm)) {
        moduleReferences++;
        const ref = module[1] as string;
        if (ref.startsWith('br/') || ref.startsWith('br:')) expect(ref, `${file}: registry module ${ref} is not pinned`).toMatch(/:\d+\.\d+\.\d+$/);
        else expect(existsSync(join(root, dirname(file), ref)), `${file}: module ${ref} does not exist`).toBe(true);
      }
    }
    expect(moduleReferences).toBe(bicepFiles.length - 1);
  });

  it('main.bicep passes every module exactly the parameters it declares, and reads only outputs it has', () => {
    const source = stripComments(mainBicep);
    const modules = [...source.matchAll(/^module\s+(\w+)\s+'([^']+)'/gm)];
    expect(modules.length).toBe(9);
    let outputsRead = 0;
    for (const module of modules) {
      const [, symbol, path] = module as unknown as [string, string, string];
      const moduleSource = stripComments(read(join('infra', path)));
      const declared = new Map([...moduleSource.matchAll(/^param\s+(\w+)\s+[^=\n]+?(=.*)?$/gm)].map((m) => [m[1] as string, m[2] !== undefined]));
      const outputs = new Set([...moduleSource.matchAll(/^output\s+(\w+)\s/gm)].map((m) => m[1] as string));
      const body = blockAfter(source, new RegExp(`^module\\s+${symbol}\\s+'[^']+'\\s*=\\s*(?:if\\s*\\([^)]*\\)\\s*)?\\{`, 'm'));
      const passed = topLevelKeys(blockAfter(body, /params:\s*\{/));
      expect(passed.length, `main.bicep passes no params to ${path}`).toBeGreaterThan(0);
      for (const name of passed) expect(declared.has(name), `main.bicep passes ${name} to ${path}, which has no such param`).toBe(true);
      for (const [name, hasDefault] of declared) {
        if (!hasDefault) expect(passed, `main.bicep does not pass required param ${name} to ${path}`).toContain(name);
      }
      for (const use of source.matchAll(new RegExp(`\\b${symbol}!?\\.outputs\\.(\\w+)`, 'g'))) {
        outputsRead++;
        expect(outputs.has(use[1] as string), `main.bicep reads ${symbol}.outputs.${use[1]}, which ${path} does not output`).toBe(true);
      }
    }
    expect(outputsRead).toBeGreaterThanOrEqual(20);
  });

  it('host.json matches infra: task hub, Durable Task Scheduler connection, extension bundle', () => {
    const host = JSON.parse(read('host.json')) as {
      extensionBundle: { id: string; version: string };
      functionTimeout: string;
      extensions: { durableTask: { hubName: string; storageProvider: { type: string; connectionStringName: string } } };
    };
    expect(host.extensionBundle).toEqual({ id: 'Microsoft.Azure.Functions.ExtensionBundle', version: '[4.*, 5.0.0)' });
    expect(/var taskHubName = '([^']+)'/.exec(mainBicep)?.[1]).toBe(host.extensions.durableTask.hubName);
    expect(bicepSettings).toContain(host.extensions.durableTask.storageProvider.connectionStringName);
    expect(host.functionTimeout).toMatch(/^\d{2}:\d{2}:\d{2}$/);
  });
});

describe('azure.yaml and infra/main.parameters.json', () => {
  it('azure.yaml deploys service api as a JavaScript Function App from infra/main.bicep', () => {
    const azure = parseSimpleYaml(read('azure.yaml')) as {
      name: string;
      infra: { provider: string; path: string; module: string };
      services: Record<string, Record<string, unknown>>;
    };
    expect(azure.name).toBe('arbor');
    // The hooks are checked by test/infra/hooks.test.ts, the remote build by package.test.ts,
    // service grpc by grpc-container-app.test.ts.
    expect(azure.services.api).toEqual({ project: '.', language: 'js', host: 'function', remoteBuild: 'true' });
    expect(Object.keys(azure.services).sort()).toEqual(['api', 'grpc']);
    expect(azure.infra).toEqual({ provider: 'bicep', path: 'infra', module: 'main' });
    expect(mainBicep).toMatch(/^targetScope = 'subscription'$/m);
    // azd finds the Function App for service "api" by this tag.
    expect(functionApp).toMatch(/'azd-service-name':\s*'api'/);
  });

  it('the parameters file maps the azd variables onto parameters main.bicep declares', () => {
    const parameters = (JSON.parse(read('infra/main.parameters.json')) as { parameters: Record<string, { value: unknown }> }).parameters;
    expect(parameters.environmentName?.value).toBe('${AZURE_ENV_NAME}');
    expect(parameters.location?.value).toBe('${AZURE_LOCATION}');
    expect(parameters.principalId?.value).toBe('${AZURE_PRINCIPAL_ID}');
    const declared = new Map([...stripComments(mainBicep).matchAll(/^param\s+(\w+)\s+[^=\n]+?(=.*)?$/gm)].map((m) => [m[1] as string, m[2] !== undefined]));
    expect(declared.size).toBeGreaterThanOrEqual(20);
    for (const name of Object.keys(parameters)) expect(declared.has(name), `main.parameters.json sets ${name}, which main.bicep does not declare`).toBe(true);
    for (const [name, hasDefault] of declared) {
      if (!hasDefault) expect(Object.keys(parameters), `main.bicep param ${name} has no default and is not in main.parameters.json`).toContain(name);
    }
  });
});
