"""The Kleio sync server: FastAPI on uvicorn, SQLAlchemy 2 async, PostgreSQL or SQLite."""

__version__ = "0.1.0"
