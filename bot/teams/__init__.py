"""bot.teams."""
