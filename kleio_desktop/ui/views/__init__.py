"""Views: each module exposes ``create_page(ctx) -> QWidget``; widgets only bind."""
