/**
 * Set to `true` by Arbor's local host, which writes HTTP answers itself (streams included): the
 * library's stream proxy listens on every interface, and the local host binds loopback only.
 * Not a setting a user sets.
 */
export const localHostStreamsHttpVariable = 'ARBOR_LOCAL_HOST_STREAMS_HTTP';

/**
 * Whether the app asks the worker for HTTP streaming (`app.setup({ enableHttpStream })`): in
 * Azure and under `func start` yes, so a server-sent-events answer leaves as it is produced
 * instead of in one burst at the end; under Arbor's local host no, since that host streams itself.
 */
export function workerStreamsHttp(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[localHostStreamsHttpVariable] !== 'true';
}
