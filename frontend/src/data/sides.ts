// Which sides a release has, for side-level plays: the rule of shared/domain/sides.py
// (the server checks a play's sides against the same list).
const VINYL = new Set(["vinyl", "shellac", "lathe cut", "flexi-disc", "acetate"]);
const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const MAX_SIDES = 26 + 26 * 26;

type Track = { position?: string };
type Format = { name: string; qty?: number };

export function sideName(index: number): string {
  if (index < 26) return LETTERS[index]!;
  const rest = index - 26;
  return LETTERS[Math.floor(rest / 26)]! + LETTERS[rest % 26]!;
}

/** "A1" -> "A", "AA" -> "AA", "3" -> null. */
export function trackSide(position: string): string | null {
  const match = /^([A-Za-z]+)/.exec(position.trim());
  return match ? match[1]!.toUpperCase() : null;
}

/** The sides of a release: from its tracklist positions, else A/B per vinyl disc. */
export function releaseSides(tracks: readonly Track[], formats: readonly Format[]): string[] {
  const listed: string[] = [];
  for (const track of tracks) {
    const side = trackSide(track.position ?? "");
    if (side !== null && !listed.includes(side)) listed.push(side);
  }
  if (listed.length) return listed;
  const vinyl = formats
    .filter((f) => VINYL.has(f.name.trim().toLowerCase()))
    .reduce((sum, f) => sum + Math.max(f.qty ?? 1, 1) * 2, 0);
  const count = Math.min(vinyl || 2, MAX_SIDES);
  return Array.from({ length: count }, (_, i) => sideName(i));
}
