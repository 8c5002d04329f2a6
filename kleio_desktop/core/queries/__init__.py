"""Read queries for the desktop's views, offline: each module fetches rows from the local
store and hands them to the rules in ``shared.domain`` (the server's insights call the
same functions), so a view shows the server's numbers without a connection."""
