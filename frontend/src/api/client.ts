// The REST API, typed from the server's OpenAPI document (schema.d.ts is generated: see
// scripts/web_types.py). Every state-changing request carries the session's CSRF token.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];

let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

const csrf: Middleware = {
  onRequest({ request }) {
    if (!SAFE.has(request.method) && csrfToken) request.headers.set("X-CSRF-Token", csrfToken);
    return request;
  },
};

export const api = createClient<paths>({
  baseUrl: typeof location === "undefined" ? "http://localhost" : location.origin,
  credentials: "same-origin",
});
api.use(csrf);

/** A failed request, with the server's problem+json detail as its message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Outcome<T> = { data?: T; error?: unknown; response: Response };

/** The data of a successful request; an ApiError with a readable message otherwise. */
export async function ok<T>(request: Promise<Outcome<T>>): Promise<T> {
  let outcome: Outcome<T>;
  try {
    outcome = await request;
  } catch {
    throw new ApiError(0, "The server cannot be reached.");
  }
  if (outcome.response.ok) return outcome.data as T;
  throw new ApiError(outcome.response.status, problemMessage(outcome.error, outcome.response));
}

export function problemMessage(error: unknown, response: Response): string {
  if (error && typeof error === "object") {
    const problem = error as { detail?: unknown; title?: unknown; errors?: unknown };
    const first = Array.isArray(problem.errors) ? problem.errors[0] : undefined;
    if (first && typeof first === "object" && "msg" in first) {
      const loc = (first as { loc?: unknown[] }).loc ?? [];
      const field = loc.filter((part) => part !== "body").join(".");
      return `${field ? field + ": " : ""}${String((first as { msg: unknown }).msg)}`;
    }
    if (typeof problem.detail === "string" && problem.detail) return problem.detail;
    if (typeof problem.title === "string" && problem.title) return problem.title;
  }
  return `The server answered ${response.status} ${response.statusText}`.trim();
}
