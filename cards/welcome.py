"""The card the bot posts in a team's General channel when it is added to the team."""

from __future__ import annotations

from cards.elements import Card, card, heading, subheading, text


def team_welcome_card(team_name: str | None, bot_name: str) -> Card:
    greeting = f"Hello, {team_name}!" if team_name else "Hello!"
    return card(
        [
            heading(greeting),
            text(
                "I'm the Communities of Schools bot. I post meeting dates, agendas and reminders "
                "in your community's channel, and school leaders talk to me in a personal chat "
                "to raise requests and declare interests."
            ),
            subheading("Link a channel to your community"),
            text(
                f"In the channel your community will use, write **@{bot_name} link COMMUNITY-CODE**, "
                f"for example `@{bot_name} link CANT1`. A council officer or the community's chair can do it."
            ),
            text(
                "Channel posts only ever show a request reference, the school and the status: "
                "no pupil details.",
                subtle=True,
            ),
        ]
    )


def link_help_text(bot_name: str, codes: list[str]) -> str:
    example = codes[0] if codes else "CANT1"
    yours = f" Your community: {', '.join(codes)}." if codes else ""
    return (
        f"To link a channel, go to the channel in your community's team and write "
        f"**@{bot_name} link {example}** (the @mention matters: "
        "I only see channel messages that mention me). "
        f"I'll confirm in the thread.{yours} To stop using a channel, write **@{bot_name} unlink** there."
    )
