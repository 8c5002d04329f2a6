"""The desktop app (``kleio-desktop``): Qt only. Presenters hold no widgets; widgets only bind;
``bridge`` turns the core's event stream into Qt signals. See ``context`` for how pages plug in."""
