import { describe, expect, it } from 'vitest';
import { edgeRefusal, type EdgeRequest } from '../../../shared/platform/edge-policy.js';

function request(method: string, headers: Record<string, string> = {}, url = 'http://127.0.0.1:7071/api/runs/r/cancel'): EdgeRequest {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method, url, header: (name) => lower[name] };
}

const refusal = (r: EdgeRequest, accepts?: readonly string[]) => {
  const error = edgeRefusal(r, accepts);
  return error && { status: error.status, code: error.code, field: (error.details as Array<{ field: string }>)[0]?.field };
};

describe('the edge policy', () => {
  it('leaves reads alone, whatever they carry', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      expect(refusal(request(method, { 'content-type': 'text/plain', 'sec-fetch-site': 'cross-site', 'content-length': '3' }))).toBeUndefined();
    }
  });

  it('takes JSON bodies (any case, charset, +json) and no body at all', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'post']) {
      expect(refusal(request(method))).toBeUndefined();
      expect(refusal(request(method, { 'content-length': '0' }))).toBeUndefined();
      expect(refusal(request(method, { 'content-type': 'Application/JSON; charset=utf-8', 'content-length': '2' }))).toBeUndefined();
      expect(refusal(request(method, { 'content-type': 'application/merge-patch+json', 'transfer-encoding': 'chunked' }))).toBeUndefined();
    }
  });

  it("refuses a form's content types with or without a body, and a body of no or another type", () => {
    for (const type of ['text/plain', 'TEXT/PLAIN;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      expect(refusal(request('POST', { 'content-type': type }))).toEqual({ status: 415, code: 'unsupported_media_type', field: 'content-type' });
      expect(refusal(request('DELETE', { 'content-type': type, 'content-length': '1' }))).toEqual({ status: 415, code: 'unsupported_media_type', field: 'content-type' });
    }
    expect(refusal(request('POST', { 'content-length': '2' }))?.status).toBe(415);
    expect(refusal(request('POST', { 'transfer-encoding': 'chunked' }))?.status).toBe(415);
    expect(refusal(request('PUT', { 'content-type': 'application/xml', 'content-length': '2' }))?.status).toBe(415);
  });

  it("takes a route's declared type instead of JSON", () => {
    const protobuf = ['application/x-protobuf'];
    expect(refusal(request('POST', { 'content-type': 'application/x-protobuf', 'content-length': '9' }), protobuf)).toBeUndefined();
    expect(refusal(request('POST', { 'content-type': 'application/json', 'content-length': '2' }), protobuf)?.status).toBe(415);
    expect(refusal(request('POST', { 'content-type': 'text/plain', 'content-length': '2' }), protobuf)?.status).toBe(415);
  });

  it('refuses what a browser marks as coming from another site, body or not', () => {
    expect(refusal(request('POST', { 'sec-fetch-site': 'cross-site' }))).toEqual({ status: 403, code: 'cross_site_request', field: 'sec-fetch-site' });
    expect(refusal(request('POST', { 'sec-fetch-site': 'same-site' }))?.field).toBe('sec-fetch-site');
    expect(refusal(request('POST', { origin: 'http://evil.example' }))).toEqual({ status: 403, code: 'cross_site_request', field: 'origin' });
    expect(refusal(request('POST', { origin: 'null' }))?.field).toBe('origin');
    expect(refusal(request('POST', { origin: 'http://127.0.0.1:7072' }))?.field).toBe('origin');
    expect(refusal(request('POST', { 'sec-fetch-site': 'same-origin', origin: 'http://127.0.0.1:7071' }))).toBeUndefined();
    expect(refusal(request('POST', { 'sec-fetch-site': 'none' }))).toBeUndefined();
  });
});
