"""The predecessor Kleio database (LEGACY_SCHEMA.md): how it is read (``reader``) and the
deterministic ids its rows get in Kleio (``ids``). Both sides import a file with these same
rules: the server (``kleio-server import-legacy``, ``POST /import/legacy``) and the desktop
(``kleio import-legacy``), so a file imported on either yields the same rows."""
