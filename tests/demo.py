"""A believable demo collection in a desktop store, for screenshots, benchmarks and UI tests.

``await seed_demo(desktop, records=500)`` writes releases with tracklists, folders, styluses,
plays (with sides and styluses) and cleanings spread over three years, and archives a few
items, through the same store calls the Discogs import and the services use. Deterministic
for a given ``seed``. Plays and cleanings go in through the export-document import (one
transaction per 20,000 rows), so 50,000 plays take seconds, not minutes.

    uv run python -m tests.demo /tmp/kleio-demo --records 500   # a KLEIO_HOME to open
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from random import Random

from kleio_desktop.core.app import Desktop
from shared.ids import new_id
from shared.protocol.entities import (
    Cleaning,
    CollectionItem,
    Folder,
    Play,
    Release,
    ReleaseArtist,
    ReleaseFormat,
    ReleaseLabel,
    Stylus,
    Track,
)
from shared.protocol.exchange import ExportDocument

ARTISTS = (
    "Miles Davis", "John Coltrane", "Nina Simone", "Bill Evans", "Thelonious Monk",
    "Joni Mitchell", "Leonard Cohen", "Nick Drake", "Fleetwood Mac", "Talking Heads",
    "Kate Bush", "David Bowie", "Radiohead", "Portishead", "Massive Attack",
    "Björk", "Aphex Twin", "Boards of Canada", "Can", "Kraftwerk",
    "Alice Coltrane", "Pharoah Sanders", "Sun Ra", "Fela Kuti", "Tony Allen",
    "Ali Farka Touré", "Mulatu Astatke", "Caetano Veloso", "Os Mutantes", "Jorge Ben",
    "Marvin Gaye", "Curtis Mayfield", "Aretha Franklin", "Al Green", "Bill Withers",
    "Glenn Gould", "Martha Argerich", "Arvo Pärt", "Steve Reich", "Philip Glass",
    "Brian Eno", "Harold Budd", "Laurie Anderson", "Cocteau Twins", "Slowdive",
    "The Velvet Underground", "Television", "Wire", "Joy Division", "The Cure",
)  # fmt: skip
WORDS = (
    "Blue", "Kind", "Night", "Garden", "River", "Silent", "Electric", "Golden", "Low",
    "Heroes", "Songs", "Light", "Dream", "Moon", "City", "Rain", "Summer", "Winter",
    "Love", "Spirit", "Orbit", "Mirror", "Velvet", "Echo", "Horizon", "Paper", "Glass",
    "Atlas", "Harvest", "Station", "Canyon", "Desert", "Ocean", "Fire", "Shadow",
)  # fmt: skip
GENRES = (
    ("Jazz", ("Hard Bop", "Modal", "Free Jazz", "Cool Jazz")),
    ("Rock", ("Art Rock", "Post-Punk", "Folk Rock", "Krautrock")),
    ("Electronic", ("Ambient", "IDM", "Trip Hop", "Synth-pop")),
    ("Funk / Soul", ("Soul", "Afrobeat", "Funk")),
    ("Folk, World, & Country", ("Folk", "Tropicália", "Highlife")),
    ("Classical", ("Baroque", "Minimalism", "Modern")),
    ("Pop", ("Dream Pop", "Chamber Pop")),
)  # fmt: skip
LABELS = ("Blue Note", "Impulse!", "Columbia", "ECM", "Warp", "4AD", "Island", "Verve",
          "Nonesuch", "Rough Trade", "Deutsche Grammophon", "Factory")  # fmt: skip
FOLDERS = (Folder(id=1, name="Uncategorized"), Folder(id=2001, name="Jazz shelf"),
           Folder(id=2002, name="New arrivals"), Folder(id=2003, name="Classical"))  # fmt: skip
NOW = dt.datetime(2026, 12, 6, 21, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Demo:
    releases: list[Release]
    items: list[CollectionItem]
    styluses: list[Stylus]
    plays: list[Play]
    cleanings: list[Cleaning]


def _tracks(rng: Random, discs: int) -> list[Track]:
    tracks: list[Track] = []
    for disc in range(discs):
        for side in "AB":
            letter = chr(ord(side) + 2 * disc)
            for n in range(1, rng.randint(2, 5) + 1):
                seconds = rng.randint(150, 560)
                tracks.append(
                    Track(
                        position=f"{letter}{n}",
                        title=" ".join(rng.sample(WORDS, rng.randint(1, 3))),
                        duration_text=f"{seconds // 60}:{seconds % 60:02d}",
                        seconds=seconds,
                    )
                )
    return tracks


def make_demo(records: int = 500, *, plays: int | None = None, seed: int = 7) -> Demo:
    """The rows of a demo collection; ``plays`` defaults to ten a record."""
    rng = Random(seed)
    releases, items = [], []
    for n in range(records):
        release_id = 100_000 + n
        genre, styles = rng.choice(GENRES)
        discs = 2 if rng.random() < 0.12 else 1
        tracks = _tracks(rng, discs) if rng.random() < 0.93 else []
        releases.append(
            Release(
                id=release_id,
                title=" ".join(rng.sample(WORDS, rng.randint(1, 3))),
                year=rng.randint(1956, 2025) if rng.random() < 0.95 else None,
                artists=[ReleaseArtist(name=rng.choice(ARTISTS))],
                labels=[ReleaseLabel(name=rng.choice(LABELS), catno=f"{rng.randint(100, 9999)}")],
                formats=[ReleaseFormat(name="Vinyl", qty=discs, descriptions=["LP", "Album"])],
                genres=[genre] + ([rng.choice(GENRES)[0]] if rng.random() < 0.15 else []),
                styles=rng.sample(styles, 1),
                tracks=tracks,
                duration_seconds=sum(t.seconds or 0 for t in tracks) or None,
                fetched_at=NOW - dt.timedelta(days=30),
            )
        )
        archived = n % 97 == 13
        items.append(
            CollectionItem(
                instance_id=5_000_000 + n,
                release_id=release_id,
                folder_id=rng.choice(FOLDERS).id,
                rating=rng.choice((0, 0, 3, 4, 5)),
                added_at=NOW - dt.timedelta(days=rng.randint(1, 3 * 365)),
                archived_at=NOW - dt.timedelta(days=3) if archived else None,
                archive_reason=rng.choice(("user", "duplicate")) if archived else None,
            )
        )
    styluses = [
        Stylus(id=new_id(), name="2M Blue", manufacturer="Ortofon", lifespan_hours=1000,
               purchased_on=dt.date(2025, 3, 1), primary=True, active=True),
        Stylus(id=new_id(), name="VM95E", manufacturer="Audio-Technica", lifespan_hours=800,
               purchased_on=dt.date(2024, 6, 1), active=True),
        Stylus(id=new_id(), name="M97xE", manufacturer="Shure", lifespan_hours=500,
               purchased_on=dt.date(2019, 1, 10), active=False, retired=True),
    ]  # fmt: skip
    # a long tail: a few records played often, most now and then, some never
    weights = [rng.paretovariate(1.2) if rng.random() < 0.9 else 0.0 for _ in releases]
    count = records * 10 if plays is None else plays
    picked = rng.choices(releases, weights=weights, k=count)
    play_rows, cleaning_rows = [], []
    for release in picked:
        at = NOW - dt.timedelta(minutes=rng.randint(30, 3 * 365 * 24 * 60))
        sides = sorted({t.position[0] for t in release.tracks}) or None
        play_rows.append(
            Play(
                id=new_id(),
                release_id=release.id,
                played_at=at,
                stylus_id=styluses[0 if at > NOW - dt.timedelta(days=500) else 1].id,
                sides=sides if rng.random() < 0.85 or not sides else sides[:1],
            )
        )
        if rng.random() < 0.12:
            cleaned = at - dt.timedelta(minutes=5)
            cleaning_rows.append(
                Cleaning(
                    id=new_id(), release_id=release.id, cleaned_at=cleaned, deep=rng.random() < 0.2
                )
            )
    return Demo(releases, items, styluses, play_rows, cleaning_rows)


async def seed_demo(
    desktop: Desktop, records: int = 500, *, plays: int | None = None, seed: int = 7
) -> Demo:
    """Write a demo collection into ``desktop``'s store (see ``make_demo``)."""
    demo = make_demo(records, plays=plays, seed=seed)
    for start in range(0, len(demo.releases), 1000):
        await desktop.store.save_releases(demo.releases[start : start + 1000])
    await desktop.store.save_collection(FOLDERS, demo.items)
    step = 20_000
    for start in range(0, max(len(demo.plays), len(demo.cleanings), 1), step):
        document = ExportDocument(
            exported_at=NOW,
            styluses=demo.styluses if start == 0 else [],
            plays=demo.plays[start : start + step],
            cleanings=demo.cleanings[start : start + step],
        )
        await desktop.exchange.import_document(document)
    return demo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("home", type=Path, help="KLEIO_HOME to write (created if missing)")
    parser.add_argument("--records", type=int, default=500)
    parser.add_argument("--plays", type=int, default=None)
    args = parser.parse_args()

    async def run() -> None:
        async with Desktop.open(args.home) as desktop:
            demo = await seed_demo(desktop, args.records, plays=args.plays)
        print(f"{len(demo.releases)} records, {len(demo.plays)} plays in {args.home}")

    asyncio.run(run())


if __name__ == "__main__":
    main()
