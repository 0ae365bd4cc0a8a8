"""tests.bot.outbox."""
