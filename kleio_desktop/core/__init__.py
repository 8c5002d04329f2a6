"""The desktop core: local store, services, sync and auth, with no Qt imports."""
