"""Code both Kleio programs import: domain rules, wire protocol, Discogs client, ids, clock.

Nothing here imports Qt, SQLAlchemy or FastAPI (enforced by import-linter)."""
