"""Presenters: one QObject per screen with typed signals and async methods; no widgets."""
