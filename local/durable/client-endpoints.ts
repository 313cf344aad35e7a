import { edgeRefusal } from '../../shared/platform/edge-policy.js';
import { keyMatches, presentedKey } from '../http/function-keys.js';
import type { HostEndpoint } from '../http/server.js';
import { HostRefusal, hostError, sendJson, unauthorized } from '../http/server.js';
import type { RpcTypedData } from '../worker/rpc.js';
import { DurableRequestError, type DurableBackend, type RuntimeStatus } from './durable-backend.js';

export const webhookPath = '/runtime/webhooks/durabletask/';

/**
 * What the Functions host gives a `durableClient` input binding: the task hub and the URLs the
 * client calls, each carrying the system key as `code=`, as the extension's webhook URLs do.
 * No `rpcBaseUrl`: the client builds those URLs from a base and drops its query string, so a
 * key could not travel with them. The client leaves these URLs as they are only when
 * WEBSITE_HOSTNAME is set (the host sets it); otherwise it points them at localhost:7071.
 * An activity's client also carries its invocation's `raisedBy` token (dispatch/own-event-hold.ts).
 */
export function durableClientData(baseUrl: string, taskHubName: string, systemKey: string, raisedBy?: string): RpcTypedData {
  const root = `${baseUrl}${webhookPath}`;
  const from = raisedBy ? `&raisedBy=${encodeURIComponent(raisedBy)}` : '';
  const query = `taskHub=${encodeURIComponent(taskHubName)}&connection=Storage&code=${encodeURIComponent(systemKey)}${from}`;
  const instance = `${root}instances/INSTANCEID`;
  return {
    string: JSON.stringify({
      taskHubName,
      creationUrls: {
        createNewInstancePostUri: `${root}orchestrators/{functionName}[/{instanceId}]?${query}`,
        createAndWaitOnNewInstancePostUri: `${root}orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&${query}`,
      },
      managementUrls: {
        id: 'INSTANCEID',
        statusQueryGetUri: `${instance}?${query}`,
        sendEventPostUri: `${instance}/raiseEvent/{eventName}?${query}`,
        terminatePostUri: `${instance}/terminate?reason={text}&${query}`,
        rewindPostUri: `${instance}/rewind?reason={text}&${query}`,
        purgeHistoryDeleteUri: `${instance}?${query}`,
        restartPostUri: `${instance}/restart?${query}`,
        suspendPostUri: `${instance}/suspend?reason={text}&${query}`,
        resumePostUri: `${instance}/resume?reason={text}&${query}`,
      },
      baseUrl: root,
      requiredQueryStringParameters: query,
    }),
  };
}

/** A JSON body (the edge policy has checked its type), or null when there is none. */
function parseBody(body: Buffer): unknown {
  const text = body.toString().trim();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new HostRefusal(400, hostError('invalid_json', `the body is not valid JSON: ${reason}`, [{ field: '(body)', problem: reason }]));
  }
}

const runtimeStatuses: readonly RuntimeStatus[] = ['Pending', 'Running', 'Completed', 'ContinuedAsNew', 'Failed', 'Terminated'];

/** Purge by filter, as the extension takes it: `createdTimeFrom` (required), `createdTimeTo`, `runtimeStatus` (comma separated). */
function purgeFilter(query: URLSearchParams): { from: Date; to?: Date; statuses: RuntimeStatus[] } {
  const problems: Array<{ field: string; problem: string }> = [];
  const date = (name: string, required: boolean): Date | undefined => {
    const text = query.get(name);
    if (text === null || text === '') {
      if (required) problems.push({ field: name, problem: 'is required (an ISO 8601 time)' });
      return undefined;
    }
    const value = new Date(text);
    if (Number.isNaN(value.getTime())) problems.push({ field: name, problem: `"${text}" is not an ISO 8601 time` });
    return value;
  };
  const from = date('createdTimeFrom', true);
  const to = date('createdTimeTo', false);
  const statuses = (query.get('runtimeStatus') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const status of statuses) {
    if (!runtimeStatuses.includes(status as RuntimeStatus)) problems.push({ field: 'runtimeStatus', problem: `"${status}" is not one of ${runtimeStatuses.join(', ')}` });
  }
  if (problems.length || !from) throw new HostRefusal(400, hostError('invalid_filter', 'the purge filter is malformed', problems));
  return { from, ...(to ? { to } : {}), statuses: statuses as RuntimeStatus[] };
}

/**
 * The durable client's REST API (start, status, raise event, terminate, purge one or by filter), served by the
 * local host. Azure answers these only to the extension's system key; so does this host, and
 * like every state-changing route it takes JSON only.
 */
export function durableEndpoints(backend: DurableBackend, systemKey: string): HostEndpoint {
  return async (request, response, url, readBody) => {
    if (!url.pathname.startsWith(webhookPath)) return false;
    if (!keyMatches(systemKey, presentedKey(request.headers, url))) {
      throw unauthorized('the durable API needs the system key (ARBOR_SYSTEM_KEY): send the x-functions-key header or ?code=');
    }
    const method = request.method ?? 'GET';
    const refusal = edgeRefusal({ method, url: url.toString(), header: (name) => request.headers[name]?.toString() });
    if (refusal) throw new HostRefusal(refusal.status, refusal.toBody());
    const parts = url.pathname.slice(webhookPath.length).split('/').filter(Boolean).map(decodeURIComponent);
    try {
      const [area, id, verb, eventName] = parts;
      if (area === 'orchestrators' && method === 'POST' && id) {
        const instanceId = await backend.startNew(id, verb, parseBody(await readBody()));
        sendJson(response, 202, { id: instanceId });
      } else if (area === 'instances' && !id && method === 'GET') {
        sendJson(response, 200, backend.list());
      } else if (area === 'instances' && id && !verb && method === 'GET') {
        const status = backend.status(id, url.searchParams.get('showHistory') === 'true');
        if (!status) sendJson(response, 404, hostError('not_found', `no instance "${id}"`));
        else sendJson(response, 200, status);
      } else if (area === 'instances' && id && verb === 'raiseEvent' && eventName && method === 'POST') {
        await backend.raiseEvent(id, eventName, parseBody(await readBody()), url.searchParams.get('raisedBy'));
        response.writeHead(202).end();
      } else if (area === 'instances' && id && verb === 'terminate' && method === 'POST') {
        await backend.terminate(id, url.searchParams.get('reason') ?? '');
        response.writeHead(202).end();
      } else if (area === 'instances' && !id && method === 'DELETE') {
        const deleted = await backend.purgeBy(purgeFilter(url.searchParams));
        sendJson(response, deleted ? 200 : 404, { instancesDeleted: deleted });
      } else if (area === 'instances' && id && !verb && method === 'DELETE') {
        const deleted = await backend.purge(id);
        sendJson(response, deleted ? 200 : 404, { instancesDeleted: deleted });
      } else {
        sendJson(response, 404, hostError('route_not_found', `the local durable API does not serve ${method} ${url.pathname}`));
      }
    } catch (error) {
      if (error instanceof DurableRequestError) sendJson(response, error.status, hostError('durable_request_failed', error.message));
      else throw error;
    }
    return true;
  };
}
