"""The app's pages: each module exposes ``create_page(ctx) -> QWidget``."""
