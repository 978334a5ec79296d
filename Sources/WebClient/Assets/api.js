// The public HTTP API, as any client uses it: bearer token, JSON in and out, errors as
// {"error":{"code","message"}}.

const tokenKey = 'quad.token';

export class APIError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const session = {
  get token() { return sessionStorage.getItem(tokenKey) || localStorage.getItem(tokenKey); },
  /** Keeps the token for this tab; `remember` keeps it across browser restarts too. */
  save(token, remember) {
    sessionStorage.setItem(tokenKey, token);
    if (remember) localStorage.setItem(tokenKey, token); else localStorage.removeItem(tokenKey);
  },
  clear() {
    sessionStorage.removeItem(tokenKey);
    localStorage.removeItem(tokenKey);
  },
  /** The claims of the token (sub, name, admin), read without verifying: the server verifies. */
  claims() {
    const token = this.token;
    if (!token) return null;
    try {
      const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      const json = decodeURIComponent(atob(part).split('').map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join(''));
      return JSON.parse(json);
    } catch {
      return null;
    }
  },
};

/** One API call; resolves to the JSON body (null for 204), rejects with an APIError. */
export async function api(method, path, body) {
  const headers = {};
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new APIError(0, 'network', error.message);
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!response.ok) {
    const error = json && json.error ? json.error : { code: `http_${response.status}`, message: text };
    if (response.status === 401 && session.token) window.dispatchEvent(new Event('quad:unauthenticated'));
    throw new APIError(response.status, error.code, error.message);
  }
  return json;
}

export const enc = encodeURIComponent;
