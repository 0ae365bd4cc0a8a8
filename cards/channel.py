"""Everything the bot posts in a Teams channel, listed in one place.

Channel posts never carry pupil-level data (domain.md §5). The test
``tests/cards/test_channel_cards_no_pupil_data.py`` renders every entry here from requests full
of pupil data and fails if any of it shows; it also fails when a module starts a channel thread
without being listed. A new channel card or message goes here, with the modules that post it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChannelPost:
    name: str
    #: The function whose output goes to a channel, as ``module:function``.
    builder: str
    #: The source files that post it to a channel (through the outbox, or as a reply there).
    posted_by: tuple[str, ...]


CHANNEL_POSTS: tuple[ChannelPost, ...] = (
    ChannelPost(
        "agenda",
        "cards.agenda_cards:channel_agenda_cards",
        ("communities/agendas/changes.py", "communities/messaging/channel_posts.py"),
    ),
    ChannelPost(
        "minutes_approved",
        "cards.minutes.members:minutes_approved_channel_card",
        ("communities/minutes/approving.py", "communities/messaging/notices.py"),
    ),
    ChannelPost("meeting_dates", "cards.meetings.dates:dates_card", ("communities/broadcasts/service.py",)),
    ChannelPost(
        "team_welcome",
        "cards.welcome:team_welcome_card",
        ("communities/messaging/installations.py", "communities/messaging/notices.py"),
    ),
    ChannelPost(
        "requests_open",
        "cards.meetings.timeline:requests_open_card",
        ("scheduler/steps.py", "communities/messaging/notices.py"),
    ),
    ChannelPost(
        "rsvp_reminder",
        "cards.meetings.rsvp:meeting_reminder_card",
        (
            "scheduler/steps.py",
            "dialogs/meetings/rsvp_buttons.py",
            "communities/messaging/notices.py",
            "communities/meetings/reminder_posts.py",
        ),
    ),
    # Universal Actions: each person's own view of a channel card, the answer to their adaptiveCard/action
    # invoke (shown to them only, in the channel).
    ChannelPost(
        "rsvp_personal_view",
        "cards.meetings.rsvp:personal_reminder_card",
        ("dialogs/universal/actions.py", "bot/teams/handler.py"),
    ),
    ChannelPost(
        "agenda_personal_view",
        "cards.meetings.rsvp:agenda_personal_card",
        ("dialogs/universal/actions.py", "bot/teams/handler.py"),
    ),
    ChannelPost(
        "channel_link_messages",
        "communities.messaging.channel_linking:link_channel",
        (
            "communities/messaging/channel_linking.py",
            "communities/messaging/notices.py",
            "dialogs/roster/channel_links.py",
        ),
    ),
    ChannelPost(
        "outcomes_summary",
        "cards.outcomes.telling:outcomes_channel_card",
        ("communities/outcomes/telling.py", "communities/messaging/notices.py"),
    ),
    ChannelPost(
        "channel_unlink_messages",
        "communities.messaging.channel_linking:unlink_channel",
        ("communities/messaging/channel_linking.py", "dialogs/roster/channel_links.py"),
    ),
)
