// The gateway's public API with the operator's token. Tokens live in sessionStorage (gone
// with the tab); a 401 trades the refresh token for new ones once, else signs out.
const KEY = "flywheel.console.tokens";
const AUTH = "/api/v1/users/auth";

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.status = status;
  }
}

let tokens = JSON.parse(sessionStorage.getItem(KEY) ?? "null");

function keep(next) {
  tokens = next;
  if (next) sessionStorage.setItem(KEY, JSON.stringify(next));
  else sessionStorage.removeItem(KEY);
}

export const signedIn = () => tokens !== null;

async function post(path, body) {
  return fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function failure(response) {
  const problem = await response.json().catch(() => null);
  return new ApiError(response.status, problem);
}

export async function signIn(email, password) {
  const response = await post(`${AUTH}/token`, { email, password });
  if (!response.ok) throw await failure(response);
  const { access_token, refresh_token } = await response.json();
  keep({ access: access_token, refresh: refresh_token });
}

function forget() {
  keep(null);
  window.dispatchEvent(new Event("console:signed-out"));
}

export async function signOut() {
  const refresh = tokens?.refresh;
  forget();
  if (refresh) await post(`${AUTH}/logout`, { refresh_token: refresh }).catch(() => {});
}

async function renew() {
  const response = await post(`${AUTH}/refresh`, { refresh_token: tokens.refresh });
  if (!response.ok) return false;
  const { access_token, refresh_token } = await response.json();
  keep({ access: access_token, refresh: refresh_token });
  return true;
}

// One refresh at a time: the panels load together, and a refresh token works only once.
let renewing = null;

async function refreshed(refused) {
  if (!tokens) return false;
  if (tokens.access !== refused) return true; // renewed while this call was under way
  renewing ??= renew().finally(() => { renewing = null; });
  return renewing;
}

// GET `path` with `params` (arrays repeat the name); the parsed JSON, or an ApiError.
export async function get(path, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const one of [value].flat()) if (one !== null && one !== undefined) query.append(name, one);
  }
  const url = `${path}?${query}`;
  const send = (access) => fetch(url, { headers: { Authorization: `Bearer ${access}` } });
  const access = tokens?.access;
  let response = await send(access);
  if (response.status === 401 && (await refreshed(access))) response = await send(tokens.access);
  if (response.status === 401) forget();
  if (!response.ok) throw await failure(response);
  return response.json();
}
