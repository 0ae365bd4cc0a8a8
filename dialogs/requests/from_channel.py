""" "Raise a request" pressed on the requests-open post in a community's channel.

The request form runs in the personal chat: the person is started off there (nothing private
is said in the channel).
"""

from __future__ import annotations

from sqlmodel import select

from cards.elements import card, submit, text
from communities.messaging.outbox import OutgoingMessage
from communities.messaging.teams_links import PersonalChat
from communities.permissions import RAISE_REQUEST
from dialogs.routing import Turn
from dialogs.services import ChatServices


async def raise_from_channel(chat: ChatServices, turn: Turn) -> None:
    ctx, profile = turn.context, turn.profile
    prompt = card(
        [text("You pressed **Raise a request** in your community's channel. The form runs here, privately.")],
        [submit("Raise a request", RAISE_REQUEST.key)],
    )
    async with chat.database.session() as session:
        personal_chat = (
            await session.exec(select(PersonalChat).where(PersonalChat.person_id == profile.person_id))
        ).first()
        if personal_chat is not None:
            await chat.outbox.send(
                session,
                key=f"raise-from-channel:{ctx.activity.id}",
                reference=personal_chat.reference,
                message=OutgoingMessage(card=prompt, summary="Raise a request"),
            )
            await session.commit()
    if personal_chat is None:
        await ctx.send_activity(
            f"Open a personal chat with {chat.bot_name} (Apps, then search for it) and write "
            "`request`: the form runs there, privately."
        )
        return
    chat.outbox.wake()
    await ctx.send_activity("I've sent you a message in our personal chat: the request form runs there.")
