"""Read-side features over a user's plays, cleanings and collection: history, analytics,
suggestions (PRODUCT §4.7, §4.9, §4.10)."""
