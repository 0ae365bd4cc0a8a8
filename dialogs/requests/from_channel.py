""" "Raise a request" pressed on the requests-open post in a community's channel.

The request form runs in the personal chat: the person is started off there (nothing private
is said in the channel).
"""

from __future__ import annotations

from cards.elements import card, submit, text
from communities.messaging import notices
from communities.messaging.outbox import OutgoingMessage
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
        told = await notices.tell(
            session,
            chat.outbox,
            notices.Notice.to(
                notices.People.of(profile.person_id),
                f"raise-from-channel:{ctx.activity.id}",
                OutgoingMessage(card=prompt, summary="Raise a request"),
                keyed_by_person=False,
            ),
        )
        await session.commit()
    if not told.anyone:
        await ctx.send_activity(
            f"Open a personal chat with {chat.bot_name} (Apps, then search for it) and write "
            "`request`: the form runs there, privately."
        )
        return
    chat.outbox.wake()
    await ctx.send_activity("I've sent you a message in our personal chat: the request form runs there.")
