"""Who the bot can reach, for officers."""
