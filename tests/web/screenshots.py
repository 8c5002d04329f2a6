"""Screenshots of every page of the web UI, in both themes and at phone width, against the
real server (seeded with a few records, plays and styluses). Not part of the suite:

    make screenshots            # or: uv run python -m tests.web.screenshots build/screenshots
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import sys
from pathlib import Path

from playwright.async_api import Browser, Page, async_playwright

from tests.web.harness import (
    KleioServer,
    launch_chromium,
    release,
    running_server,
    signed_in_context,
)

PAGES = {
    "log": "/",
    "collection": "/collection",
    "record": "/record/{record}",
    "history": "/history",
    "styluses": "/styluses",
    "suggestions": "/suggestions",
    "analytics": "/analytics",
    "archive": "/archive",
    "settings": "/settings",
}
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 360, "height": 780}}


def seed(server: KleioServer) -> int:
    titles = [
        ("Kind of Blue", "Miles Davis", "Jazz", 1959),
        ("Blue Train", "John Coltrane", "Jazz", 1958),
        ("Rumours", "Fleetwood Mac", "Rock", 1977),
        ("Blue Lines", "Massive Attack", "Electronic", 1991),
        ("Pet Sounds", "The Beach Boys", "Pop", 1966),
        ("Mingus Ah Um", "Charles Mingus (2)", "Jazz", 1959),
        ("Remain in Light", "Talking Heads", "Rock", 1980),
        ("Maggot Brain", "Funkadelic", "Funk / Soul", 1971),
    ]
    records = server.seed_records(
        [release(9_200_000 + i, t, a, genre=g, year=y) for i, (t, a, g, y) in enumerate(titles)]
    )
    now = dt.datetime.now(dt.UTC)
    with server.api() as api:
        api.post(
            "/api/v1/styluses",
            json={
                "name": "Ortofon 2M Blue",
                "manufacturer": "Ortofon",
                "lifespan_hours": 1000,
                "active": True,
                "primary": True,
            },
        )
        api.post(
            "/api/v1/styluses",
            json={
                "name": "AT-VM95E",
                "manufacturer": "Audio-Technica",
                "lifespan_hours": 800,
                "active": False,
            },
        )
        for day, index in [(0, 0), (1, 1), (1, 0), (3, 2), (8, 3), (20, 4), (40, 0), (100, 6)]:
            at = (now - dt.timedelta(days=day, hours=2)).isoformat()
            api.post(
                "/api/v1/plays",
                json={
                    "release_id": 9_200_000 + index,
                    "played_at": at,
                    "notes": "great pressing" if day == 1 else "",
                    **({"sides": ["A"]} if day == 3 else {}),
                },
            )
        api.post(
            "/api/v1/cleanings",
            json={
                "release_id": 9_200_000,
                "deep": True,
                "cleaned_at": (now - dt.timedelta(days=2)).isoformat(),
            },
        )
        api.post(f"/api/v1/collection/{records[7]}/archive", json={"reason": "duplicate"})
        # a desktop's import, relayed through the server: Settings shows it "as of" its end
        api.post(
            "/api/v1/discogs/progress", json={"state": "done", "step": "done"}
        ).raise_for_status()
    return records[0]


async def take(folder: Path) -> list[Path]:
    written: list[Path] = []
    async with running_server() as server, async_playwright() as playwright:
        browser = await launch_chromium(playwright)
        written += await _first_run(browser, server, folder)
        record = await asyncio.to_thread(seed, server)
        for scheme in ("light", "dark"):
            for size_name, viewport in SIZES.items():
                context = await signed_in_context(
                    browser,
                    server,
                    viewport=viewport,
                    color_scheme=scheme,
                    is_mobile=size_name == "phone",
                )
                page = await context.new_page()
                for name, path in PAGES.items():
                    await page.goto(server.base_url + path.format(record=record))
                    await page.get_by_role("heading", level=1).first.wait_for()
                    await page.wait_for_load_state("networkidle")
                    await page.wait_for_timeout(300)
                    target = folder / f"{name}-{size_name}-{scheme}.png"
                    await page.screenshot(path=str(target), full_page=True)
                    written.append(target)
                written += await _states(page, server, folder, f"{size_name}-{scheme}")
                await context.close()
        await browser.close()
    return written


async def _first_run(browser: Browser, server: KleioServer, folder: Path) -> list[Path]:
    """The Log of an empty collection: the first run's Discogs connection."""
    written: list[Path] = []
    for size_name, viewport in SIZES.items():
        context = await signed_in_context(browser, server, viewport=viewport)
        page = await context.new_page()
        await page.goto(server.base_url + "/")
        await page.get_by_role("heading", name="Welcome to Kleio").wait_for()
        await page.wait_for_load_state("networkidle")
        target = folder / f"first-run-{size_name}-light.png"
        await page.screenshot(path=str(target), full_page=True)
        written.append(target)
        await context.close()
    return written


async def _states(page: Page, server: KleioServer, folder: Path, suffix: str) -> list[Path]:
    """Open menus and popovers: the genre filter, a tracklist on focus, the phone's "More"."""
    written: list[Path] = []
    await page.goto(server.base_url + "/collection")
    await page.locator("ul.grid > li").first.wait_for()
    await page.get_by_role("button", name=re.compile("^Genre")).click()
    await page.get_by_role("checkbox", name="Jazz").check()
    await page.wait_for_load_state("networkidle")
    await page.wait_for_timeout(300)
    written.append(folder / f"collection-genres-{suffix}.png")
    await page.screenshot(path=str(written[-1]))
    await page.keyboard.press("Escape")
    await page.locator("ul.grid > li a").first.focus()
    await page.get_by_role("tooltip").wait_for()
    written.append(folder / f"collection-tracks-{suffix}.png")
    await page.screenshot(path=str(written[-1]))
    more = page.get_by_role("navigation", name="Views").get_by_role("button", name="More")
    if await more.is_visible():
        await more.click()
        written.append(folder / f"more-{suffix}.png")
        await page.screenshot(path=str(written[-1]))
    return written


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "build/screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(take(folder)):
        print(path)


if __name__ == "__main__":
    main()
