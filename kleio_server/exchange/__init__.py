"""Data exchange (PRODUCT §4.12): JSON export/import, plays CSV, predecessor import."""
