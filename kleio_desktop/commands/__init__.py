"""Command-line commands of `kleio`; each module offers `register(app: typer.Typer)`."""
