"""tests.bot.journeys."""
