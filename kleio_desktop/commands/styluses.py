"""`kleio stylus add|list|primary|edit|retire|delete|wear|catalogue|copy`: styluses by name
(or id), with their wear (``core.queries.styluses``) and the catalogue to copy one from."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kleio_desktop.cli import echo_json, run_with_desktop, sub_app, usage

if TYPE_CHECKING:
    from kleio_desktop.core.app import Desktop
    from kleio_desktop.core.queries.styluses import StylusWithWear
    from shared.protocol.entities import Stylus, StylusTemplate

stylus_app = sub_app("Manage styluses: add, edit, retire, wear, catalogue.")

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
StylusArg = Annotated[
    str, typer.Argument(metavar="STYLUS", help="Its name (as `kleio stylus list` shows) or id.")
]
LifespanOption = Annotated[
    int | None, typer.Option("--lifespan", metavar="HOURS", help="Expected lifespan in hours.")
]
PurchasedOption = Annotated[
    str | None, typer.Option("--purchased", metavar="DATE", help="Purchase date, e.g. 2026-03-01.")
]


def register(app: typer.Typer) -> None:
    app.add_typer(stylus_app, name="stylus")


async def find(services: Desktop, text: str) -> Stylus:
    """A live stylus by id, or by its name (case does not matter)."""
    from kleio_desktop.core.errors import InvalidInput

    try:
        return await services.styluses.get_stylus(uuid.UUID(text))
    except ValueError:
        pass
    styluses = await services.styluses.list_styluses()
    named = [s for s in styluses if s.name.lower() == text.strip().lower()]
    if len(named) == 1:
        return named[0]
    if named:
        raise InvalidInput(f"more than one stylus is called {text!r}; name it by its id")
    known = ", ".join(s.name for s in styluses) or "none yet (`kleio stylus add`)"
    raise InvalidInput(f"no stylus is called {text!r}; the styluses are: {known}")


def _state(stylus: Stylus) -> str:
    state = "retired" if stylus.retired else "active" if stylus.active else "inactive"
    return state + (", primary" if stylus.primary else "")


def _wear_text(listed: StylusWithWear) -> str:
    wear = listed.wear
    left = "" if wear.remaining_hours is None else f", {wear.remaining_hours:.0f} h left"
    worn = "" if listed.stylus.lifespan_hours is None else f" ({wear.percent:.0f}% worn{left})"
    return f"{listed.plays} plays, {wear.hours_used:.1f} h{worn}"


@stylus_app.command("add")
def stylus_add(
    name: Annotated[str, typer.Argument(metavar="NAME", help="What you call it.")],
    manufacturer: Annotated[
        str, typer.Option("--manufacturer", metavar="MAKER", help="Maker, e.g. Ortofon.")
    ] = "",
    lifespan: LifespanOption = None,
    purchased: PurchasedOption = None,
    primary: Annotated[bool, typer.Option("--primary", help="Make it the default.")] = False,
    inactive: Annotated[bool, typer.Option("--inactive", help="Not in rotation.")] = False,
) -> None:
    """Add a stylus.

    Examples: kleio stylus add "2M Red" --manufacturer Ortofon --lifespan 1000 --primary ·
    kleio stylus copy "Ortofon 2M Red" (from the catalogue)
    """
    from kleio_desktop.core.services.styluses import parse_stylus
    from shared.ids import new_id

    new = new_id()
    fields = {
        "id": str(new),
        "name": name,
        "manufacturer": manufacturer,
        "lifespan_hours": lifespan,
        "purchased_on": purchased,
        "primary": primary,
        "active": not inactive,
    }
    run_with_desktop(lambda s: s.styluses.add_stylus(parse_stylus(fields)))
    typer.echo(f"added stylus {name}; id {new}")


@stylus_app.command("list")
def stylus_list(as_json: JsonOption = False) -> None:
    """Styluses with their wear: active (primary first), inactive, retired.

    Examples: kleio stylus list · kleio stylus list --json
    """

    async def work(services: Desktop) -> list[StylusWithWear]:
        from kleio_desktop.core.queries.styluses import styluses_with_wear

        return await styluses_with_wear(services.store)

    listed = run_with_desktop(work)
    if as_json:
        echo_json(
            [
                {
                    **w.stylus.model_dump(mode="json"),
                    "plays": w.plays,
                    "hours_used": w.wear.hours_used,
                    "remaining_hours": w.wear.remaining_hours,
                    "wear_percent": w.wear.percent,
                }
                for w in listed
            ]
        )
        return
    if not listed:
        typer.echo("No styluses yet; `kleio stylus add NAME` or `kleio stylus catalogue`.")
    for w in listed:
        maker = f" ({w.stylus.manufacturer})" if w.stylus.manufacturer else ""
        flag = " (primary)" if w.stylus.primary else ""
        state = "retired" if w.stylus.retired else "active" if w.stylus.active else "inactive"
        typer.echo(f"{w.stylus.name}{flag}{maker}  {state}  {_wear_text(w)}  {w.stylus.id}")


@stylus_app.command("primary")
def stylus_primary(stylus: StylusArg) -> None:
    """Make a stylus the default for new plays.

    Example: kleio stylus primary "2M Red"
    """

    async def work(services: Desktop) -> str:
        found = await find(services, stylus)
        await services.styluses.set_primary(found.id)
        return f"primary stylus is now {found.name}"

    typer.echo(run_with_desktop(work))


@stylus_app.command("edit")
def stylus_edit(
    stylus: StylusArg,
    name: Annotated[str | None, typer.Option("--name", metavar="NAME", help="A new name.")] = None,
    manufacturer: Annotated[
        str | None, typer.Option("--manufacturer", metavar="MAKER", help="Maker.")
    ] = None,
    lifespan: LifespanOption = None,
    purchased: PurchasedOption = None,
    active: Annotated[
        bool | None, typer.Option("--active/--inactive", help="In rotation, or not.")
    ] = None,
) -> None:
    """Change a stylus' name, maker, lifespan, purchase date or rotation.

    Examples: kleio stylus edit "2M Red" --lifespan 1200 · kleio stylus edit "2M Red" --name Red
    """
    values: dict[str, Any] = {
        key: value
        for key, value in {
            "name": name,
            "manufacturer": manufacturer,
            "lifespan_hours": lifespan,
            "purchased_on": purchased,
            "active": active,
        }.items()
        if value is not None
    }
    if not values:
        usage("say what to change: --name, --manufacturer, --lifespan, --purchased or --active")
    _edit(stylus, values, "edited stylus {name}")


def _edit(stylus: str, values: dict[str, Any], done: str) -> None:
    async def work(services: Desktop) -> str:
        from pydantic import ValidationError

        from kleio_desktop.core.errors import InvalidInput, describe_problems
        from shared.protocol.entities import StylusPatch

        found = await find(services, stylus)
        try:
            patch = StylusPatch.model_validate(values)
        except ValidationError as exc:
            raise InvalidInput(f"invalid stylus: {describe_problems(exc.errors())}") from None
        await services.styluses.edit_stylus(found.id, patch)
        edited = await services.styluses.get_stylus(found.id)
        return done.format(name=edited.name, state=_state(edited))

    typer.echo(run_with_desktop(work))


@stylus_app.command("retire")
def stylus_retire(stylus: StylusArg) -> None:
    """Retire a worn stylus: it stays with its plays but leaves the rotation.

    Example: kleio stylus retire "2M Red"
    """
    _edit(stylus, {"retired": True, "active": False, "primary": False}, "retired stylus {name}")


@stylus_app.command("delete")
def stylus_delete(
    stylus: StylusArg,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask.")] = False,
) -> None:
    """Delete a stylus; its plays stay, without a stylus (`retire` keeps them counted).

    Example: kleio stylus delete "Old needle" --yes
    """

    async def look(services: Desktop) -> tuple[Stylus, int]:
        from kleio_desktop.core.queries.styluses import styluses_with_wear

        found = await find(services, stylus)
        plays = {w.stylus.id: w.plays for w in await styluses_with_wear(services.store)}
        return found, plays.get(found.id, 0)

    found, plays = run_with_desktop(look)
    if plays and not yes:
        question = f"{found.name} has {plays} plays; they lose their stylus. Delete it?"
        if not typer.confirm(question, err=True):
            raise typer.Exit(1)

    async def work(services: Desktop) -> str:
        await services.styluses.delete_stylus(found.id)
        return f"deleted stylus {found.name}" + (
            f" ({plays} plays keep no stylus)" if plays else ""
        )

    typer.echo(run_with_desktop(work))


@stylus_app.command("wear")
def stylus_wear(stylus: StylusArg, as_json: JsonOption = False) -> None:
    """How worn a stylus is: hours played against its lifespan.

    Example: kleio stylus wear "2M Red"
    """

    async def work(services: Desktop) -> StylusWithWear:
        from kleio_desktop.core.queries.styluses import styluses_with_wear

        found = await find(services, stylus)
        return next(w for w in await styluses_with_wear(services.store) if w.stylus.id == found.id)

    listed = run_with_desktop(work)
    if as_json:
        echo_json(
            {
                "id": str(listed.stylus.id),
                "name": listed.stylus.name,
                "plays": listed.plays,
                "hours_used": listed.wear.hours_used,
                "remaining_hours": listed.wear.remaining_hours,
                "percent": listed.wear.percent,
                "colour": listed.wear.colour,
            }
        )
        return
    typer.echo(f"{listed.stylus.name}: {_wear_text(listed)}")


def _templates() -> tuple[StylusTemplate, ...]:
    from kleio_desktop.core.queries.styluses import stylus_catalogue

    return stylus_catalogue()


@stylus_app.command("catalogue")
def stylus_catalogue(
    search: Annotated[
        str, typer.Argument(metavar="[WORDS]", help="Only models matching these words.")
    ] = "",
    as_json: JsonOption = False,
) -> None:
    """Known stylus models with their lifespans, to copy one from (`kleio stylus copy`).

    Examples: kleio stylus catalogue · kleio stylus catalogue ortofon
    """
    words = search.lower().split()
    found = [
        t for t in _templates() if all(w in f"{t.manufacturer} {t.model}".lower() for w in words)
    ]
    if as_json:
        echo_json([t.model_dump(mode="json") for t in found])
        return
    if not found:
        typer.echo("No model matches.")
    for t in found:
        typer.echo(f"{t.manufacturer} {t.model}  {t.lifespan_hours} h")


@stylus_app.command("copy")
def stylus_copy(
    model: Annotated[
        str, typer.Argument(metavar="MODEL", help="Maker and model, as the catalogue lists it.")
    ],
    name: Annotated[
        str | None,
        typer.Option("--name", metavar="NAME", help="What you call it (default: the model)."),
    ] = None,
    purchased: PurchasedOption = None,
    primary: Annotated[bool, typer.Option("--primary", help="Make it the default.")] = False,
) -> None:
    """Add a stylus copied from the catalogue (maker, model and lifespan).

    Examples: kleio stylus copy "Ortofon 2M Red" --primary · kleio stylus copy "VM540ML"
    """
    wanted = " ".join(model.lower().split())
    templates = _templates()
    exact = [
        t for t in templates if wanted in {t.model.lower(), f"{t.manufacturer} {t.model}".lower()}
    ]
    found = exact or [t for t in templates if wanted in f"{t.manufacturer} {t.model}".lower()]
    if len(found) != 1:
        from kleio_desktop.cli import fail

        if not found:
            raise fail(f"no catalogue model matches {model!r}; `kleio stylus catalogue` lists them")
        shown = "; ".join(f"{t.manufacturer} {t.model}" for t in found[:8])
        raise fail(f"{model!r} matches several models ({shown}); name one in full")
    template = found[0]
    stylus_add(
        name or template.model,
        manufacturer=template.manufacturer,
        lifespan=template.lifespan_hours,
        purchased=purchased,
        primary=primary,
        inactive=False,
    )
