// The JSON API with the signed-in user's bearer token. Problems (RFC 9457) become ApiErrors with
// the server's own explanation.
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export function createApi({ token, onUnauthorized }) {
  async function send(path, { method = 'GET', body, signal, accept = 'application/json' } = {}) {
    const response = await fetch(path, {
      method,
      signal,
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: accept,
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (response.status === 401) {
      onUnauthorized();
      throw new ApiError(401, { detail: 'Your sign-in has expired or is not accepted; please sign in again.' });
    }
    return response;
  }

  async function json(path, options = {}) {
    const response = await send(path, options);
    const data = await response.json().catch(() => null);
    if (!response.ok && !options.anyStatus) throw new ApiError(response.status, data);
    return data;
  }

  return {
    get: (path, options) => json(path, options),
    post: (path, body, options) => json(path, { ...options, method: 'POST', body }),
    async blob(path) {
      const response = await send(path, { accept: 'application/json' });
      if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
      return response.blob();
    },
  };
}
