"""tests.bot.refusals."""
