"""The chat: every handler of a typed command, a card button or a dialog, grouped by feature.

Each feature package registers its routes in its ``routes`` module (:mod:`dialogs.routes` lists
the features); :mod:`dialogs.routing` holds the table that ``bot.teams.handler`` dispatches over.
Handlers get a :class:`dialogs.services.ChatServices` and never import ``bot``.
"""
