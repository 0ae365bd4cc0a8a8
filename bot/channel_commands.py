"""Commands written in a team channel: ``@bot link CODE``, ``@bot unlink``, anything else gets help.

A button pressed on a card in a channel arrives here too (``value`` set, no text): the RSVP
buttons of the meeting-reminder card go to :mod:`bot.rsvp_actions`, and "Raise a request" on the
requests-open post gets the person a message in their personal chat, where the form runs.
"""

from __future__ import annotations

from botbuilder.core import TurnContext

from bot import rsvp_actions
from bot.services import Services
from bot.teams.activity import channel_id_of, command_text, reference_of, reference_to, team_of, tenant_of
from bot.teams.turn_sender import Senders
from cards.elements import card, submit, text
from communities.messaging import channel_linking, notices
from communities.messaging.outbox import OutgoingMessage
from communities.permissions import RAISE_REQUEST, may_use


async def handle_channel_command(services: Services, senders: Senders, ctx: TurnContext) -> None:
    activity = ctx.activity
    if rsvp_actions.is_rsvp_submit(activity.value):
        await rsvp_actions.press(services, senders, ctx)
        return
    if isinstance(activity.value, dict) and activity.value.get("action") == RAISE_REQUEST.key:
        await _raise_from_channel(services, senders, ctx)
        return
    words = command_text(activity).split()
    command = words[0].lower() if words else "help"
    bot_name = services.settings.bot_name
    if command not in ("link", "unlink"):
        await ctx.send_activity(
            f"In a channel I understand **@{bot_name} link COMMUNITY-CODE** (make this channel the "
            f"community's channel) and **@{bot_name} unlink**. Everything else happens in a personal "
            "chat with me."
        )
        return
    sender = await senders.identify(ctx)
    if sender.profile is None:
        await ctx.send_activity(senders.not_registered(ctx, sender))
        return
    channel_id = channel_id_of(activity) or ""
    async with services.database.session() as session:
        if command == "unlink":
            outcome = await channel_linking.unlink_channel(
                session, services.clock, sender.profile, channel_id
            )
        else:
            outcome = await channel_linking.link_channel(
                session,
                services.clock,
                services.outbox,
                sender.profile,
                words[1] if len(words) > 1 else "",
                channel_seen(ctx, channel_id),
            )
        await session.commit()
    if outcome.changed:
        services.outbox.wake()
    if outcome.reply:
        await ctx.send_activity(outcome.reply)


def channel_seen(ctx: TurnContext, channel_id: str) -> channel_linking.ChannelSeen:
    activity = ctx.activity
    team = team_of(activity) or {}
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    channel = data.get("channel")
    name = channel.get("name") if isinstance(channel, dict) else None
    if channel_id == team.get("id"):
        name = name or "General"
    return channel_linking.ChannelSeen(
        team_id=str(team.get("id", "")),
        channel_id=channel_id,
        channel_name=name,
        service_url=activity.service_url,
        tenant_id=tenant_of(activity),
        channel_reference=reference_to(activity, channel_id),
        thread_reference=reference_of(activity),
        message_id=activity.id or f"{activity.conversation.id}:{activity.timestamp}",
    )


async def _raise_from_channel(services: Services, senders: Senders, ctx: TurnContext) -> None:
    """The request form runs in the personal chat: start the person off there (nothing private here)."""
    sender = await senders.identify(ctx)
    if sender.profile is None:
        await ctx.send_activity(senders.not_registered(ctx, sender))
        return
    decision = may_use(sender.profile, RAISE_REQUEST.key)
    if not decision.allowed:
        await ctx.send_activity(f"Sorry: {decision.reason}")
        return
    prompt = card(
        [text("You pressed **Raise a request** in your community's channel. The form runs here, privately.")],
        [submit("Raise a request", RAISE_REQUEST.key)],
    )
    async with services.database.session() as session:
        told = await notices.tell(
            session,
            services.outbox,
            notices.Notice.to(
                notices.People.of(sender.profile.person_id),
                f"raise-from-channel:{ctx.activity.id}",
                OutgoingMessage(card=prompt, summary="Raise a request"),
                keyed_by_person=False,
            ),
        )
        await session.commit()
    if not told.anyone:
        await ctx.send_activity(
            f"Open a personal chat with {services.settings.bot_name} (Apps, then search for it) and write "
            "`request`: the form runs there, privately."
        )
        return
    services.outbox.wake()
    await ctx.send_activity("I've sent you a message in our personal chat: the request form runs there.")
