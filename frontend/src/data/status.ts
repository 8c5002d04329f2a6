// PRODUCT §3 colours. The server computes scores, bands and colours (shared/domain/status.py);
// the UI maps a colour name to its swatch and says it in words for screen readers.
import type { Schemas } from "../api/client";

export type Colour = Schemas["WearOut"]["colour"];

export const COLOUR_NAMES: Record<Colour, string> = {
  green: "green",
  light_green: "light green",
  pale_green: "pale green",
  amber: "amber",
  red: "red",
};

/** The CSS custom property that holds a status colour (see styles.css). */
export function colourVar(colour: Colour): string {
  return `var(--status-${colour.replace("_", "-")})`;
}

/** A Discogs artist name without its " (n)" disambiguator (PRODUCT §1). */
export function displayArtist(name: string): string {
  return name.replace(/\s\(\d+\)$/, "");
}

/** Why a record is archived (shared/protocol/entities.py ``ARCHIVE_REASONS``), as a user reads it. */
export const ARCHIVE_REASONS: Record<string, string> = {
  removed_on_discogs: "left the Discogs collection",
  user: "archived by you",
  duplicate: "a duplicate",
  mistake: "added by mistake",
};
