/**
 * The staff pages' API client: same-origin JSON calls carried by the session cookie (__Host-rb-staff, HttpOnly),
 * with the session's CSRF token in X-CSRF-Token on every call that changes something. A problem+json refusal
 * becomes an ApiError (status, stable code, title, detail, field errors); a 401 outside sign-in also tells the
 * page (event `rb:signed-out`) so it can send the person back to the sign-in page.
 */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem.code || `HTTP_${status}`;
    this.title = problem.title || '';
    this.detail = problem.detail || '';
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
    this.problem = problem;
  }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function createApi() {
  let csrfToken = null;

  async function request(method, path, body) {
    const headers = { accept: 'application/json, application/problem+json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (!SAFE.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken;
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        credentials: 'same-origin',
        cache: 'no-store',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, { code: 'NETWORK_ERROR' });
    }
    const text = await response.text();
    let data;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = undefined;
    }
    if (!response.ok) {
      const error = new ApiError(response.status, data && typeof data === 'object' ? data : {});
      if (response.status === 401 && !path.startsWith('/v1/staff/sessions')) {
        window.dispatchEvent(new CustomEvent('rb:signed-out'));
      }
      throw error;
    }
    return data;
  }

  return {
    setCsrfToken(token) {
      csrfToken = token;
    },
    get: (path) => request('GET', path),
    post: (path, body = {}) => request('POST', path, body),
    patch: (path, body) => request('PATCH', path, body),
    delete: (path) => request('DELETE', path),
  };
}

/** `/v1/…?a=1&b=2` from a path and the defined entries of a query object. */
export function withQuery(path, query) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** Every item of a cursor-paged list (items + nextCursor), up to `maxPages` pages. */
export async function allPages(api, path, query = {}, maxPages = 10) {
  const items = [];
  let cursor;
  for (let page = 0; page < maxPages; page += 1) {
    const answer = await api.get(withQuery(path, { ...query, cursor }));
    items.push(...answer.items);
    if (!answer.nextCursor) break;
    cursor = answer.nextCursor;
  }
  return items;
}

/**
 * A refusal's field errors (problem+json `errors`, JSON pointers) by the form field they concern: `fieldOf`
 * names the field of a pointer, or null when the form has none for it (the page's message still lists those).
 */
export function fieldErrorsOf(error, fieldOf) {
  const byField = {};
  if (!(error instanceof ApiError)) return byField;
  for (const entry of error.errors) {
    const field = entry && entry.pointer ? fieldOf(String(entry.pointer)) : null;
    if (!field || !entry.detail) continue;
    byField[field] = byField[field] ? `${byField[field]}; ${entry.detail}` : entry.detail;
  }
  return byField;
}
