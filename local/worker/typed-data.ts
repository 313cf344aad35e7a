import type { RpcTypedData } from './rpc.js';

/** A function's return value as the worker sent it, back to a JSON value. */
export function fromTypedData(data: RpcTypedData | null | undefined): unknown {
  if (!data) return null;
  if (data.json != null) return JSON.parse(data.json);
  if (data.string != null) return data.string;
  if (data.int != null) return data.int;
  if (data.double != null) return data.double;
  if (data.bytes != null) return Buffer.from(data.bytes).toString('base64');
  return null;
}
