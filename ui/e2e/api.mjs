// What the browser tests share to set up through the API what the UI then shows.

/** The API as one user, by plain HTTP (to set up what the UI then shows). */
export async function apiAs(BASE, PASSWORD, username) {
  const res = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(body)}`);
  const token = body.data.access_token;
  return async (method, path, payload) => {
    const r = await fetch(`${BASE}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: payload === undefined ? undefined : JSON.stringify(payload),
    });
    const json = await r.json();
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
    return json.data;
  };
}

/** The clinic day (KST) as YYYY-MM-DD, `days` from today. */
export function kstDay(days = 0) {
  return new Date(Date.now() + 9 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10);
}
