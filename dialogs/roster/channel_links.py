"""Commands written in a team channel: ``@bot link CODE`` and ``@bot unlink``.

The domain decides who may link or unlink which community's channel
(:func:`communities.permissions.may_link_channel`) and words the reply.
"""

from __future__ import annotations

from communities.messaging import channel_linking
from dialogs.routing import Turn
from dialogs.services import ChatServices

LINK = "link"
UNLINK = "unlink"


async def link_or_unlink(chat: ChatServices, turn: Turn) -> None:
    seen = turn.channel
    assert seen is not None, "a channel command"
    words = turn.text.split()
    async with chat.database.session() as session:
        if turn.action == UNLINK:
            outcome = await channel_linking.unlink_channel(session, chat.clock, turn.profile, seen.channel_id)
        else:
            outcome = await channel_linking.link_channel(
                session, chat.clock, chat.outbox, turn.profile, words[1] if len(words) > 1 else "", seen
            )
        await session.commit()
    if outcome.changed:
        chat.outbox.wake()
    if outcome.reply:
        await turn.context.send_activity(outcome.reply)
