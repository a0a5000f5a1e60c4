/**
 * A person of an organisation signed in to a service through its staff session API (tests and the workbench
 * helpers): the cookie and CSRF token a browser would hold, and calls made with them.
 */
export interface StaffBrowser {
  readonly cookie: string;
  readonly csrfToken: string;
  readonly session: Record<string, unknown>;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<StaffResult>;
}

export interface StaffResult {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Headers;
}

const SESSION_COOKIE = '__Host-rb-staff';

/** A call with explicit headers (cookie, CSRF token, …) answering status, body and headers. */
export async function rawCall(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<StaffResult> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...headers, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as unknown) : undefined,
    headers: response.headers,
  };
}

/** Creates a person with the organisation's API key (`POST /v1/staff/accounts`); answers the account. */
export async function createStaffAccount(
  baseUrl: string,
  apiKey: string,
  account: { username: string; displayName?: string; role: string; password: string },
): Promise<Record<string, unknown>> {
  const created = await rawCall(
    baseUrl,
    'POST',
    '/v1/staff/accounts',
    { 'X-API-Key': apiKey },
    {
      displayName: account.username,
      ...account,
    },
  );
  if (created.status !== 201)
    throw new Error(`create ${account.username}: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body as Record<string, unknown>;
}

/** Signs in (`POST /v1/staff/sessions`); throws unless 200. Calls then carry the cookie and the CSRF token. */
export async function signIn(baseUrl: string, username: string, password: string): Promise<StaffBrowser> {
  const answer = await rawCall(baseUrl, 'POST', '/v1/staff/sessions', {}, { username, password });
  if (answer.status !== 200)
    throw new Error(`sign in ${username}: ${answer.status} ${JSON.stringify(answer.body)}`);
  const setCookie = answer.headers.get('set-cookie') ?? '';
  const token = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(setCookie)?.[1];
  if (!token) throw new Error(`sign in ${username}: no session cookie in ${setCookie}`);
  const session = answer.body as Record<string, unknown>;
  const cookie = `${SESSION_COOKIE}=${token}`;
  const csrfToken = session.csrfToken as string;
  return {
    cookie,
    csrfToken,
    session,
    call: (method, path, body, headers = {}) =>
      rawCall(baseUrl, method, path, { Cookie: cookie, 'X-CSRF-Token': csrfToken, ...headers }, body),
  };
}
