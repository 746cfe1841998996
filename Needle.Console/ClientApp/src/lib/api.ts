import type { ProblemDetails } from "./types";

/** A refusal from the control plane, with its problem details (diagnostics for a failed deploy). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: ProblemDetails,
  ) {
    super(problem.detail || problem.title || `HTTP ${status}`);
  }
}

/** The control-plane client: the only thing the console talks to. */
export class Api {
  constructor(
    readonly base: string,
    private readonly fetchImpl: typeof fetch = (input, init) => fetch(input, init),
  ) {}

  get<T>(path: string): Promise<T> {
    return this.send<T>("GET", path);
  }

  /** A GET that answers null on 404, for optional endpoints (health, plans) the host may not have added. */
  async tryGet<T>(path: string): Promise<T | null> {
    try {
      return await this.get<T>(path);
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 405)) return null;
      throw error;
    }
  }

  async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    // Same-origin with a JSON content type: the browser marks the call Sec-Fetch-Site: same-origin, and a JSON
    // content type cannot be sent cross-site without a preflight, so the API's CSRF rule holds for the console too.
    const response = await this.fetchImpl(this.base + path, {
      method,
      credentials: "same-origin",
      mode: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let data: unknown = null;
    if (text.length > 0) {
      try {
        data = JSON.parse(text);
      } catch {
        data = { detail: text };
      }
    }
    if (!response.ok) {
      const problem = (data && typeof data === "object" ? data : {}) as ProblemDetails;
      throw new ApiError(response.status, { status: response.status, ...problem });
    }
    return data as T;
  }
}

/** The API prefix the server wrote into index.html. */
export function apiBaseFromDocument(doc: Document): string {
  const meta = doc.querySelector('meta[name="needle-api"]');
  const value = meta?.getAttribute("content") ?? "/needle/api";
  return value.endsWith("/") ? value.slice(0, -1) : value;
}

/** Path segments are user data (function names): always encoded. */
export function seg(value: string | number): string {
  return encodeURIComponent(String(value));
}
