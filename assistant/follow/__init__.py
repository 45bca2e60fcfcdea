"""Following the news every day: feed subscriptions, scheduled updates, the briefing archive, delivery, watchlists."""
