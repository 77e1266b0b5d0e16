// The coordination API with the user's bearer token; errors carry the server's own message, in
// the page's language (every request says which in Accept-Language).
import { language } from "./i18n.js";

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

/**
 * A fresh Idempotency-Key (a random UUID). `crypto.randomUUID` exists only in secure contexts
 * (HTTPS or localhost); a dashboard served over plain HTTP on a field network still needs keys,
 * and `getRandomValues` is available everywhere.
 */
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)]
    .join("-");
}

export class Api {
  constructor(token) {
    this.token = token;
  }

  headers(extra = {}) {
    return { Authorization: `Bearer ${this.token}`, "Accept-Language": language(), ...extra };
  }

  async fetch(method, path, body, key = newKey()) {
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

  async patch(path, body) {
    return (await this.fetch("PATCH", path, body)).json();
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
