"""The purge also clears the bot's dialog state, whose table the Teams edge defines: register it."""

import bot.teams.state_storage  # noqa: F401  (registers the bot_state table for create_all)
