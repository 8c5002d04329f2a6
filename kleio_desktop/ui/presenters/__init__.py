"""Presenters: one QObject a screen, typed signals, async methods, no widgets."""
