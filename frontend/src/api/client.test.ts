import { describe, expect, it } from "vitest";
import { ApiError, ok, problemMessage } from "./client";

const response = (status: number, statusText = "") => new Response(null, { status, statusText });

describe("problem+json messages", () => {
  it("names the field of a validation error", () => {
    const problem = { title: "Invalid input", errors: [{ loc: ["body", "played_at"], msg: "too far ahead" }] };
    expect(problemMessage(problem, response(422))).toBe("played_at: too far ahead");
  });

  it("prefers the detail, then the title", () => {
    expect(problemMessage({ title: "Not found", detail: "no such play" }, response(404))).toBe("no such play");
    expect(problemMessage({ title: "Forbidden" }, response(403))).toBe("Forbidden");
  });

  it("falls back to the status line", () => {
    expect(problemMessage(undefined, response(502, "Bad Gateway"))).toBe("The server answered 502 Bad Gateway");
  });
});

describe("ok()", () => {
  it("returns the data of a success", async () => {
    await expect(ok(Promise.resolve({ data: 7, response: response(200) }))).resolves.toBe(7);
  });

  it("throws an ApiError with the status and message", async () => {
    const failed = ok(Promise.resolve({ error: { detail: "nope" }, response: response(409) }));
    await expect(failed).rejects.toEqual(new ApiError(409, "nope"));
    await expect(failed).rejects.toMatchObject({ status: 409 });
  });

  it("says when the server cannot be reached", async () => {
    await expect(ok(Promise.reject(new TypeError("fetch failed")))).rejects.toMatchObject({
      status: 0,
      message: "The server cannot be reached.",
    });
  });
});
