// The dashboard's one way to the API: same origin, JSON, the credential in
// the Authorization header.
//
// The credential (an API key, or an access token and its refresh token) is
// held in this module's memory only: never written to localStorage,
// sessionStorage or a cookie, so another page of this origin, an extension
// reading storage, or a reload finds nothing. A reload logs out; that is
// the price. The API takes credentials only from headers, never from a
// cookie, so no other site can make the browser act with this session
// (no CSRF).

let session = null; // {kind: 'key'|'token', secret, refresh}
const listeners = new Set();

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

export function loggedIn() {
  return session !== null;
}

export function sessionKind() {
  return session ? session.kind : null;
}

// Called with no argument when the session ends (logout, or a credential
// the API refuses and cannot refresh).
export function onLogout(listener) {
  listeners.add(listener);
}

export function logout() {
  const ending = session;
  session = null;
  // An access token is revoked server-side too; a key stays valid (it is the
  // user's, not this page's).
  if (ending && ending.kind === 'token') {
    fetch('/api/v1/auth/revoke', {
      method: 'POST',
      headers: {Authorization: 'Bearer ' + ending.secret},
      credentials: 'omit',
    }).catch(() => {});
  }
  for (const l of listeners) l();
}

export function useKey(key) {
  session = {kind: 'key', secret: key.trim()};
}

// Username + key for an access token (1 hour) and a refresh token (7 days).
export async function login(username, key) {
  const pair = await send('POST', '/api/v1/auth/token', {username: username.trim(), key: key.trim()},
                          null);
  session = {kind: 'token', secret: pair.access_token, refresh: pair.refresh_token};
}

async function refresh() {
  if (!session || session.kind !== 'token' || !session.refresh) return false;
  try {
    const pair = await send('POST', '/api/v1/auth/refresh', {refreshToken: session.refresh}, null);
    session = {kind: 'token', secret: pair.access_token, refresh: pair.refresh_token};
    return true;
  } catch {
    return false;
  }
}

// The API allows each user a burst of `limit` requests, refilled at `limit`
// per second, and refuses everything for 10 s once it is exceeded (5/s by
// default). A page opening fires 2-3 requests at once, so a person moving
// quickly through pages would lock themselves out; the page keeps its own
// bucket, from the RateLimit-Limit each answer reports, and waits for a
// token instead. (Other clients of the same user share the server's bucket;
// a 429 is then shown with its Retry-After.)
const bucket = {limit: 5, tokens: 5, at: 0};

async function takeToken() {
  for (;;) {
    const now = performance.now();
    if (bucket.at) bucket.tokens = Math.min(bucket.limit, bucket.tokens + ((now - bucket.at) / 1000) * bucket.limit);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return;
    }
    // Until one token is back, and a little more: the server's clock is not ours.
    await new Promise((resolve) => setTimeout(resolve, ((1 - bucket.tokens) / bucket.limit) * 1000 + 20));
  }
}

function learnLimit(response) {
  const limit = Number(response.headers.get('RateLimit-Limit'));
  if (limit >= 1 && limit !== bucket.limit) {
    bucket.tokens = Math.min(limit, bucket.tokens * (limit / bucket.limit));
    bucket.limit = limit;
  }
}

async function send(method, path, body, secret, accept) {
  const headers = {};
  if (secret) headers.Authorization = 'Bearer ' + secret;
  if (body !== undefined && body !== null) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined || body === null ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, 'The server cannot be reached: ' + e.message);
  }
  if (secret) learnLimit(response);
  if (accept === 'blob' && response.ok) return response.blob();
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) {
    let message = json && json.message ? json.message : `${response.status} ${response.statusText}`;
    if (response.status === 429 && response.headers.get('Retry-After'))
      message += ` (try again in ${response.headers.get('Retry-After')} s)`;
    throw new ApiError(response.status, message, json);
  }
  return json;
}

// One API call: the parsed JSON answer, or an ApiError with the API's
// message. A refused access token is refreshed once; a refused credential
// then ends the session.
export async function api(method, path, body, accept) {
  if (!session) throw new ApiError(401, 'Not logged in.');
  try {
    await takeToken();
    return await send(method, path, body, session.secret, accept);
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) throw e;
    if (await refresh()) {
      await takeToken();
      return send(method, path, body, session.secret, accept);
    }
    logout();
    throw e;
  }
}

// A query string of the fields that are set (not undefined, null or '').
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? '?' + s : '';
}
