// The writes every view shares: quick play / clean (PRODUCT §4.4), with fresh UUIDv7-free
// ids left to the server (creates are idempotent only when the client sends an id; a tab
// retries nothing on its own).
import { api, ok } from "../api/client";
import { withOffset } from "./time";

export function nowWithOffset(): string {
  return withOffset(new Date());
}

/** A play now, on the primary stylus (the server's default when ``stylus_id`` is absent). */
export function quickPlay(releaseId: number) {
  return ok(api.POST("/api/v1/plays", { body: { release_id: releaseId, played_at: nowWithOffset() } }));
}

export function quickClean(releaseId: number) {
  return ok(
    api.POST("/api/v1/cleanings", { body: { release_id: releaseId, cleaned_at: nowWithOffset() } }),
  );
}
