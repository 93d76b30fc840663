"""The shop's backend: a product catalogue over PostgreSQL, served by FastAPI."""
