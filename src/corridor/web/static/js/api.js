// The coordination API with the user's bearer token; errors carry the server's own message.

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
    this.detail = detail;
  }
}

async function errorOf(response) {
  let detail = `${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    if (typeof body.detail === "string") detail = body.detail;
  } catch {
    // Not a JSON error body: the status line is all there is to say.
  }
  return new ApiError(response.status, detail);
}

export class Api {
  constructor(token) {
    this.token = token;
  }

  headers(extra = {}) {
    return { Authorization: `Bearer ${this.token}`, ...extra };
  }

  async fetch(method, path, body, key = crypto.randomUUID()) {
    const init = { method, headers: this.headers() };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers["Content-Type"] = "application/json";
      // One key per submission: a retry of the same one is answered with the first response.
      init.headers["Idempotency-Key"] = key;
    }
    const response = await fetch(path, init);
    if (!response.ok) throw await errorOf(response);
    return response;
  }

  async get(path) {
    return (await this.fetch("GET", path)).json();
  }

  /** `key` identifies the submission; give the same one when sending it again. */
  async post(path, body, key) {
    return (await this.fetch("POST", path, body, key)).json();
  }

  async blob(path) {
    return (await this.fetch("GET", path)).blob();
  }

  /** Every item of a paged list, following `next_cursor`. */
  async listAll(path) {
    const items = [];
    let cursor = null;
    do {
      const query = new URLSearchParams({ limit: "200" });
      if (cursor) query.set("cursor", cursor);
      const page = await this.get(`${path}?${query}`);
      items.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor);
    return items;
  }
}
