"""Story memory across days: stories that keep their identity (linking), the claims of their reports and a
ledger of what became of each claim, and which outlets covered a story. Stored beside the index in SQLite."""
