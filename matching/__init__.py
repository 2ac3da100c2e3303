"""The matching engine: plain data in, plain data out; no Flask, no SQLAlchemy."""
