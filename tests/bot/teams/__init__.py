"""tests.bot.teams."""
