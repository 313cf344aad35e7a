import { ArborError } from './errors.js';

/**
 * What a state-changing request must pass before any handler sees it, in both hosts. A web page
 * can make a browser send a request to any address without a CORS preflight only with a form's
 * content types (or no body at all), and the browser then says where the request came from. So:
 * a form's content type is refused on every POST, PUT, PATCH and DELETE, a body must be JSON
 * (or the type a route declares), and a request a browser marks as coming from another site is
 * refused even without a body.
 */
export const stateChangingMethods: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The content types an HTML form (or a no-cors fetch) sends without asking the server first. */
const formContentTypes: ReadonlySet<string> = new Set(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']);

const jsonMediaType = /^application\/([\w.+-]+\+)?json$/;

export const jsonOnly: readonly string[] = ['application/json'];

/** The parts of a request the policy reads, whichever host parsed it. */
export interface EdgeRequest {
  method: string;
  /** The URL the request was addressed to: its origin is the one a same-origin page has. */
  url: string;
  header(name: string): string | undefined;
}

export class UnsupportedMediaTypeError extends ArborError {
  constructor(message: string, problem: string) {
    super(415, 'unsupported_media_type', message, [{ field: 'content-type', problem }]);
  }
}

export class CrossSiteRequestError extends ArborError {
  constructor(field: 'sec-fetch-site' | 'origin', value: string) {
    super(403, 'cross_site_request', 'a page of another site cannot change anything here; call the API directly', [
      { field, problem: `is "${value}": the request came from another site's page` },
    ]);
  }
}

/** `Application/JSON; charset=utf-8` -> `application/json`. */
export function mediaTypeOf(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

function hasBody(request: EdgeRequest): boolean {
  const length = request.header('content-length');
  if (length !== undefined) return length.trim() !== '0';
  return request.header('transfer-encoding') !== undefined;
}

function accepted(mediaType: string, accepts: readonly string[]): boolean {
  return accepts.some((type) => (type === 'application/json' ? jsonMediaType.test(mediaType) : type === mediaType));
}

/** Why the request is refused before it reaches a handler, or undefined when it may go on. */
export function edgeRefusal(request: EdgeRequest, accepts: readonly string[] = jsonOnly): ArborError | undefined {
  if (!stateChangingMethods.has(request.method.toUpperCase())) return undefined;

  const site = request.header('sec-fetch-site')?.toLowerCase();
  if (site === 'cross-site' || site === 'same-site') return new CrossSiteRequestError('sec-fetch-site', site);
  const origin = request.header('origin');
  if (origin !== undefined && origin !== new URL(request.url).origin) return new CrossSiteRequestError('origin', origin);

  const contentType = request.header('content-type');
  const wanted = accepts.join(' or ');
  if (contentType === undefined || contentType.trim() === '') {
    return hasBody(request) ? new UnsupportedMediaTypeError(`a body must say its type: content-type ${wanted}`, 'is missing') : undefined;
  }
  const mediaType = mediaTypeOf(contentType);
  if (formContentTypes.has(mediaType)) {
    return new UnsupportedMediaTypeError(
      `${mediaType} is what a web page can send from another site; send ${wanted}`,
      `is "${contentType}", expected ${wanted}`,
    );
  }
  if (!accepted(mediaType, accepts)) return new UnsupportedMediaTypeError(`the body must be ${wanted}`, `is "${contentType}", expected ${wanted}`);
  return undefined;
}
