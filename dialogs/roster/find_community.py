"""'Find a community': ask for a code or a name, let the person pick, show the community."""

from __future__ import annotations

from botbuilder.core import MessageFactory
from botbuilder.dialogs import (
    ComponentDialog,
    DialogTurnResult,
    PromptValidatorContext,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.dialogs.choices import Choice, ListStyle
from botbuilder.dialogs.prompts import ChoicePrompt, PromptOptions, TextPrompt

from cards.community import community_card
from communities.db import Database
from communities.roster.directory import community_by_code, search_communities
from communities.roster.overview import community_overview
from dialogs.replies import send_card

ASK = "Which community? Type its code (like CANT1) or part of its name, or `cancel`."


class FindCommunityDialog(ComponentDialog):  # type: ignore[misc]
    ID = "find_community"

    def __init__(self, database: Database) -> None:
        super().__init__(self.ID)
        self._db = database
        self.add_dialog(TextPrompt("query", self._has_match))
        self.add_dialog(ChoicePrompt("pick"))
        self.add_dialog(WaterfallDialog("steps", [self._ask, self._pick, self._show]))
        self.initial_dialog_id = "steps"

    async def _ask(self, step: WaterfallStepContext) -> DialogTurnResult:
        given = (step.options or {}).get("text") if isinstance(step.options, dict) else None
        if given and await self._matches(given):
            return await step.next(given)
        return await step.prompt(
            "query",
            PromptOptions(
                prompt=MessageFactory.text(ASK),
                retry_prompt=MessageFactory.text(
                    "I couldn't find a community matching that. Try a code like CANT1 or part of a "
                    "name like Canterbury, or write `cancel`."
                ),
            ),
        )

    async def _pick(self, step: WaterfallStepContext) -> DialogTurnResult:
        found = await self._matches(str(step.result))
        if len(found) == 1:
            return await step.next(found[0])
        return await step.prompt(
            "pick",
            PromptOptions(
                prompt=MessageFactory.text(f"{len(found)} communities match. Which one?"),
                choices=[Choice(value=code) for code in found],
                style=ListStyle.list_style,
            ),
        )

    async def _show(self, step: WaterfallStepContext) -> DialogTurnResult:
        result = step.result
        code = result.value if hasattr(result, "value") else str(result)
        async with self._db.session() as session:
            community = await community_by_code(session, code)
            overview = await community_overview(session, community) if community else None
        if overview is None:
            await step.context.send_activity("That community is no longer in the roster.")
            return await step.end_dialog()
        await send_card(step.context, community_card(overview))
        return await step.end_dialog(code)

    async def _has_match(self, prompt: PromptValidatorContext) -> bool:
        value = prompt.recognized.value if prompt.recognized.succeeded else None
        return bool(value and await self._matches(value))

    async def _matches(self, text: str) -> list[str]:
        async with self._db.session() as session:
            return [c.code for c in await search_communities(session, text)]
