import type { HostEndpoint } from '../http/server.js';
import { hostError, sendJson } from '../http/server.js';
import type { RpcTypedData } from '../worker/rpc.js';
import { DurableRequestError, type DurableBackend } from './durable-backend.js';

export const webhookPath = '/runtime/webhooks/durabletask/';

/**
 * What the Functions host gives a `durableClient` input binding: the task hub and the URLs the
 * client calls. With `rpcBaseUrl` the real DurableClient speaks plain REST to the host.
 */
export function durableClientData(baseUrl: string, taskHubName: string): RpcTypedData {
  const root = `${baseUrl}${webhookPath}`;
  const query = `taskHub=${taskHubName}&connection=Storage`;
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
      rpcBaseUrl: root,
    }),
  };
}

function parseBody(body: Buffer): unknown {
  const text = body.toString().trim();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The durable client's REST API (start, status, raise event, terminate, purge), served by the local host. */
export function durableEndpoints(backend: DurableBackend): HostEndpoint {
  return async (request, response, url, body) => {
    if (!url.pathname.startsWith(webhookPath)) return false;
    const parts = url.pathname.slice(webhookPath.length).split('/').filter(Boolean).map(decodeURIComponent);
    const method = request.method ?? 'GET';
    try {
      const [area, id, verb, eventName] = parts;
      if (area === 'orchestrators' && method === 'POST' && id) {
        const instanceId = await backend.startNew(id, verb, parseBody(body));
        sendJson(response, 202, { id: instanceId });
      } else if (area === 'instances' && !id && method === 'GET') {
        sendJson(response, 200, backend.list());
      } else if (area === 'instances' && id && !verb && method === 'GET') {
        const status = backend.status(id, url.searchParams.get('showHistory') === 'true');
        if (!status) sendJson(response, 404, hostError('not_found', `no instance "${id}"`));
        else sendJson(response, 200, status);
      } else if (area === 'instances' && id && verb === 'raiseEvent' && eventName && method === 'POST') {
        await backend.raiseEvent(id, eventName, parseBody(body));
        response.writeHead(202).end();
      } else if (area === 'instances' && id && verb === 'terminate' && method === 'POST') {
        await backend.terminate(id, url.searchParams.get('reason') ?? '');
        response.writeHead(202).end();
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
