"""The web UI in a real browser (Debian's chromium) against the real server on PostgreSQL:
local sign-in through the printed URL, a play logged in one browser appearing live in
another, edited and deleted there, stylus wear following, and a phone-sized pass."""

from __future__ import annotations

import asyncio
import re

import pytest
from playwright.async_api import Browser, FilePayload, expect

from tests.fakes.legacy_db import LegacyIds, build_legacy_db
from tests.web.harness import KleioServer, release, signed_in_context

TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
async def records(server: KleioServer) -> list[int]:
    return await asyncio.to_thread(_seed, server)


def _seed(server: KleioServer) -> list[int]:
    abbey = release(9_100_004, "Abbey Road", "The Beatles", genre="Rock", seconds=(259, 180))
    abbey["tracks"][1]["position"] = "B1"  # two sides: A and B
    instances = server.seed_records(
        [
            release(9_100_001, "Kind of Blue", "Miles Davis"),
            release(9_100_002, "Blue Train", "John Coltrane"),
            release(9_100_003, "Mingus Ah Um", "Charles Mingus (2)", seconds=(600, 600)),
            abbey,
        ]
    )
    with server.api() as api:
        stylus = api.post(
            "/api/v1/styluses",
            json={
                "name": "2M Blue",
                "manufacturer": "Ortofon",
                "lifespan_hours": 1000,
                "active": True,
                "primary": True,
            },
        )
        assert stylus.status_code == 201, stylus.text
    return instances


async def test_the_printed_login_url_signs_in_and_lands_in_the_app(
    browser: Browser, server: KleioServer
) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(server.login_url)
    await expect(page.get_by_role("navigation", name="Views")).to_be_visible()
    await expect(page).to_have_url(f"{server.base_url}/")  # the key left the address bar
    session = await (await page.request.get(f"{server.base_url}/api/v1/auth/session")).json()
    assert session["signed_in"] is True and session["user"]["subject"] == "local"
    cookies = {c["name"]: c for c in await context.cookies()}
    assert cookies["kleio_session"]["httpOnly"] is True
    assert await page.evaluate("document.cookie") == ""  # the session is out of a script's reach
    await context.close()


async def test_a_wrong_key_is_refused_with_a_readable_message(
    browser: Browser, server: KleioServer
) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"{server.base_url}/login#key=not-the-key")
    await expect(page.get_by_role("alert")).to_contain_text("Could not sign in")
    await expect(page.get_by_label("Access key")).to_be_visible()
    await context.close()


async def test_a_play_shows_up_live_elsewhere_and_is_edited_and_deleted(
    browser: Browser, server: KleioServer, records: list[int]
) -> None:
    kind_of_blue = records[0]
    here = await signed_in_context(browser, server)
    there = await signed_in_context(browser, server)
    try:
        log = await here.new_page()
        await log.goto(server.base_url + "/")
        row = log.get_by_role("listitem").filter(has_text="Kind of Blue")
        await expect(row).to_be_visible()

        record = await there.new_page()  # another browser: the record's page and the styluses
        await record.goto(f"{server.base_url}/record/{kind_of_blue}")
        await expect(record.get_by_text("Not played or cleaned yet")).to_be_visible()
        styluses = await there.new_page()
        await styluses.goto(server.base_url + "/styluses")
        await expect(styluses.locator(".stylus-card", has_text="2M Blue")).to_contain_text(
            "0.0 h used"
        )
        for page in (record, styluses):
            await expect(page.get_by_role("status").filter(has_text="Live")).to_be_visible()

        await row.get_by_role("button", name=re.compile(r"^Play")).click()
        await expect(log.get_by_text("Logged a play of Kind of Blue")).to_be_visible()

        history = record.locator("ol.history > li")
        await expect(history).to_have_count(1)  # no reload: the socket said so
        await expect(history.first).to_contain_text("Played")
        await expect(history.first).to_contain_text("2M Blue")  # the primary stylus by default
        worn = styluses.locator(".stylus-card", has_text="2M Blue")
        await expect(worn).to_contain_text(re.compile(r"\b1 play(?!s)"))
        await expect(worn).not_to_contain_text("0.0 h used")  # the play's minutes count

        # edit it where it appeared: the notes change in the first browser's record page too
        mine = log
        await mine.goto(f"{server.base_url}/record/{kind_of_blue}")
        await expect(mine.locator("ol.history > li")).to_have_count(1)
        await history.first.get_by_role("button", name=re.compile(r"^Edit")).click()
        panel = record.get_by_role("complementary")
        await panel.get_by_label("Notes").fill("side A skipped")
        await panel.get_by_role("button", name="Save").click()
        await expect(record.get_by_text("Play updated")).to_be_visible()
        await expect(mine.locator("ol.history > li").first).to_contain_text("side A skipped")

        # delete it, after the confirmation
        await history.first.get_by_role("button", name=re.compile(r"^Delete")).click()
        dialog = record.get_by_role("dialog")
        await expect(dialog).to_contain_text("Delete this play?")
        await dialog.get_by_role("button", name="Delete").click()
        await expect(history).to_have_count(0)
        await expect(mine.locator("ol.history > li")).to_have_count(0)
        await expect(worn).to_contain_text("0.0 h used")
        await expect(worn).to_contain_text("0 plays")
    finally:
        await here.close()
        await there.close()


async def test_logging_from_the_record_page_with_a_time_and_notes(
    browser: Browser, server: KleioServer, records: list[int]
) -> None:
    context = await signed_in_context(browser, server)
    try:
        page = await context.new_page()
        await page.goto(f"{server.base_url}/record/{records[2]}")
        await page.get_by_label("Date and time").fill("2026-01-02T21:30")
        await page.get_by_label("Notes", exact=True).fill("first spin")
        await page.get_by_role("button", name="Log both").click()
        await expect(page.get_by_text("Cleaning and play logged")).to_be_visible()
        entries = page.locator("ol.history > li")
        await expect(entries).to_have_count(2)
        await expect(entries.first).to_contain_text("Played")  # the play is 1 s after the cleaning
        await expect(entries.nth(1)).to_contain_text("Cleaned")
        await expect(entries.first).to_contain_text("first spin")
        await expect(entries.first.locator("time")).to_have_attribute(
            "datetime", re.compile(r"^2026-01-02T")
        )
    finally:
        await context.close()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/collection",
        "/history",
        "/styluses",
        "/suggestions",
        "/analytics",
        "/archive",
        "/settings",
    ],
)
async def test_every_view_fits_a_phone(
    browser: Browser, server: KleioServer, records: list[int], path: str
) -> None:
    context = await signed_in_context(
        browser, server, viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True
    )
    try:
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        await page.goto(server.base_url + path)
        await expect(page.get_by_role("heading", level=1)).to_be_visible()
        await expect(page.locator(".state-loading")).to_have_count(0)
        overflow = await page.evaluate(
            "document.scrollingElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{path} scrolls sideways by {overflow}px on a phone"
        # every view within reach: four in the bottom bar, the rest behind "More"
        nav = page.get_by_role("navigation", name="Views")
        for link in await nav.get_by_role("link").all():
            box = await link.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360, box
        await nav.get_by_role("button", name="More").click()
        await expect(nav.get_by_role("link")).to_have_count(8)
        assert errors == [], errors
    finally:
        await context.close()


async def test_the_app_is_usable_from_the_keyboard(
    browser: Browser, server: KleioServer, records: list[int]
) -> None:
    context = await signed_in_context(browser, server)
    try:
        page = await context.new_page()
        await page.goto(server.base_url + "/")
        await expect(page.get_by_role("listitem").filter(has_text="Blue Train")).to_be_visible()
        await page.keyboard.press("Tab")
        await expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
        await page.get_by_role("searchbox", name="Search the collection").focus()
        await page.keyboard.type("coltrane")
        rows = page.locator("ul.records > li")
        await expect(rows).to_have_count(1)
        await expect(rows.first).to_contain_text("Blue Train")
        await page.keyboard.press("Tab")  # on to the sort selector, by keyboard alone
        await expect(page.get_by_role("combobox", name="Sort by")).to_be_focused()
    finally:
        await context.close()


async def test_sides_history_links_archive_reasons_and_stylus_edits(
    browser: Browser, server: KleioServer, records: list[int]
) -> None:
    abbey = records[3]
    context = await signed_in_context(browser, server)
    try:
        page = await context.new_page()
        await page.goto(f"{server.base_url}/record/{abbey}")
        sides = page.get_by_role("group", name=re.compile("Sides played"))
        await expect(sides.get_by_role("checkbox")).to_have_count(2)
        await sides.get_by_label("Side B").check()
        await page.get_by_role("button", name="Log play").click()
        await expect(page.get_by_text("Play logged")).to_be_visible()
        await expect(page.locator("ol.history > li").first).to_contain_text("side B")

        # a history row leads to its record
        await page.goto(server.base_url + "/history")
        await page.get_by_role("link", name="Abbey Road").first.click()
        await expect(page).to_have_url(f"{server.base_url}/release/9100004")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Abbey Road")

        # archived with a reason, and back
        await page.get_by_label("Archive because").select_option("duplicate")
        await page.get_by_role("button", name="Archive this record").click()
        await expect(page.get_by_text("Archived: a duplicate")).to_be_visible()
        await page.goto(server.base_url + "/archive")
        row = page.locator("ul.records > li", has_text="Abbey Road")
        await expect(row).to_contain_text("a duplicate")
        await row.get_by_role("button", name=re.compile("^Restore")).click()
        await expect(page.get_by_text("Record restored")).to_be_visible()
        await expect(row).to_have_count(0)

        # a stylus edited
        await page.goto(server.base_url + "/styluses")
        await page.get_by_label("Name", exact=True).fill("Spare")
        await page.get_by_role("button", name="Add stylus").click()
        card = page.locator(".stylus-card", has_text="Spare")
        await card.get_by_role("button", name=re.compile("^Edit")).click()
        panel = page.get_by_role("complementary")
        await panel.get_by_label("Name").fill("Spare VM95")
        await panel.get_by_label("Lifespan (hours)").fill("500")
        await panel.get_by_role("button", name="Save").click()
        edited = page.locator(".stylus-card", has_text="Spare VM95")
        await expect(edited).to_contain_text("500 h lifespan")
    finally:
        await context.close()


async def test_the_collection_filters_by_genre_chips_and_shows_tracklists(
    browser: Browser, server: KleioServer, records: list[int]
) -> None:
    context = await signed_in_context(browser, server)
    try:
        page = await context.new_page()
        await page.goto(server.base_url + "/collection")
        tiles = page.locator("ul.grid > li")
        await expect(tiles).to_have_count(len(records))
        genre = page.get_by_role("button", name="Genre", exact=False).first
        await genre.click()
        await page.get_by_role("checkbox", name="Rock").check()
        await expect(tiles).to_have_count(1)
        await expect(tiles.first).to_contain_text("Abbey Road")
        await page.keyboard.press("Escape")
        chip = page.get_by_role("button", name=re.compile("^Rock"))
        await expect(chip).to_be_visible()

        await tiles.first.get_by_role("link").focus()  # the tracklist, by keyboard too
        peek = page.get_by_role("tooltip")
        await expect(peek).to_contain_text("Track 2")
        await expect(peek).to_contain_text("B1")
        await chip.click()
        await expect(tiles).to_have_count(len(records))
    finally:
        await context.close()


async def test_analytics_by_custom_dates_and_filters_with_labelled_axes(
    browser: Browser, server: KleioServer, records: list[int]
) -> None:
    context = await signed_in_context(browser, server)
    try:
        page = await context.new_page()
        await page.goto(f"{server.base_url}/record/{records[3]}")  # Abbey Road, played once
        await page.get_by_role("link", name="Analytics of this record").click()
        total = page.locator("p.numbers-line strong").first
        await expect(page.get_by_role("button", name=re.compile("^Abbey Road"))).to_be_visible()
        await expect(total).to_have_text("1")
        chart = page.get_by_role("figure").filter(has_text="Plays over time")
        table = chart.get_by_role("table", name="Plays over time")  # the numbers, for readers
        await expect(table.get_by_role("columnheader")).to_have_text(["Day", "Plays"])
        await expect(chart.locator(".y-ticks span")).to_have_text(["1", "0.5", "0"])

        await page.get_by_role("button", name="Clear filters").click()
        await page.get_by_role("combobox", name="Period").select_option("custom")
        await page.get_by_label("From").fill("2026-01-02")
        await page.get_by_label("to", exact=True).fill("2026-01-02")
        await expect(total).to_have_text("1")  # the play logged on 2 January (Mingus Ah Um)
        await page.get_by_role("combobox", name="Genre").select_option("Rock")
        await expect(page.get_by_text("No plays match these filters")).to_be_visible()
    finally:
        await context.close()


async def test_the_predecessor_database_is_uploaded_from_settings(
    browser: Browser,
    server: KleioServer,
    records: list[int],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    ids = LegacyIds(9_300_001, 9_300_002, 9_300_003, 9_300_004)
    legacy = build_legacy_db(tmp_path_factory.mktemp("legacy") / "kleio.db", ids)
    context = await signed_in_context(browser, server)
    try:
        page = await context.new_page()
        await page.goto(server.base_url + "/settings")
        upload = page.get_by_label(re.compile("Upload kleio.db"))
        await upload.set_input_files(legacy)
        status = page.get_by_role("status").filter(has_text="Imported")
        await expect(status).to_contain_text("4 plays")
        await upload.set_input_files(legacy)
        await expect(status).to_contain_text("nothing new")
        await upload.set_input_files(
            files=[
                FilePayload(name="notes.db", mimeType="application/octet-stream", buffer=b"x" * 200)
            ]
        )
        await expect(page.get_by_role("alert")).to_contain_text("not a readable Kleio database")
    finally:
        await context.close()
