"""The composition root: builds the aiohttp application and everything it runs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
from aiohttp import web
from botbuilder.core import ConversationState, TurnContext
from botbuilder.integration.aiohttp import (
    ConfigurationBotFrameworkAuthentication,
    ConfigurationServiceClientCredentialFactory,
)
from botframework.connector.auth import AuthenticationConstants

from bot.calendars import close_calendars
from bot.config import Settings
from bot.outbox.broadcast_reports import BroadcastReports
from bot.outbox.chat_starts import use_installer
from bot.outbox.sender import OutboxSender
from bot.safe_logging import describe
from bot.services import Services
from bot.teams.adapter import TeamsAdapter
from bot.teams.connector import BotConnector, BotFrameworkTokens, NoTokens, TokenProvider
from bot.teams.handler import CosBot
from bot.teams.http import (
    ADAPTER,
    BOT,
    CLOCK,
    DATABASE,
    MAX_BODY,
    calendar_feed,
    healthz,
    messages,
    no_stack_traces,
)
from bot.teams.members import TeamMembersSync
from bot.teams.members_install import GraphAppInstaller
from bot.teams.signing_keys import SigningKeyRefresher
from bot.teams.state_storage import CodecConversationState, CodecUserState, SqlStorage, StateConflictError
from communities.clock import Clock, SystemClock
from communities.db import Database
from communities.messaging.outbox import Outbox
from communities.reach.members import permit_install
from scheduler.service import SchedulerService

log = logging.getLogger(__name__)

SERVICES = web.AppKey("services", Services)
SENDER = web.AppKey("sender", OutboxSender)


def create_app(
    settings: Settings, *, clock: Clock | None = None, scheduler_timer: bool = True
) -> web.Application:
    """``scheduler_timer=False`` (tests): the scheduler runs jobs only when ``run_due`` is called."""
    clock = clock or SystemClock()
    app = web.Application(middlewares=[no_stack_traces], client_max_size=settings.max_body_bytes)
    app[MAX_BODY] = settings.max_body_bytes
    database = Database(settings.database_url)
    app[DATABASE] = database
    app[CLOCK] = clock

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        tokens = await token_provider(settings)
        # Reach: install the app through Graph for people no team reaches, where the council allows it.
        installer = GraphAppInstaller.from_settings(settings)
        permit_install(installer is not None)
        use_installer(installer)
        outbox = Outbox(clock)
        storage = SqlStorage(database, clock)
        conversation_state = CodecConversationState(storage)
        async with aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=30, connect=10),
            connector=aiohttp.TCPConnector(limit=100, limit_per_host=50),
        ) as session:
            connector = BotConnector(session, tokens)
            scheduler = (
                SchedulerService.from_settings(settings, database, clock, outbox, timer=scheduler_timer)
                if settings.scheduler_enabled
                else None
            )
            services = Services(settings, database, clock, outbox, connector, scheduler)
            if scheduler is not None:  # reach: the teams' members are read again daily
                scheduler.runtime.team_members = TeamMembersSync(database, clock, connector)
            adapter = TeamsAdapter(
                ConfigurationBotFrameworkAuthentication(settings.bot_auth_config()), connector
            )
            adapter.on_turn_error = _on_turn_error(settings, conversation_state)
            sender = OutboxSender(
                database,
                connector,
                clock,
                rate_per_second=settings.outbox_rate_per_second,
                max_attempts=settings.outbox_max_attempts,
                bot_id=settings.app_id,
            )
            outbox.wake_listeners.append(sender.wake)
            app[SERVICES] = services
            app[ADAPTER] = adapter
            app[BOT] = CosBot(services, conversation_state, CodecUserState(storage))
            app[SENDER] = sender
            refresher = _signing_key_refresher(settings)
            if refresher is not None:
                await refresher.start()
            reports = BroadcastReports(database, clock, outbox)
            await sender.start()
            await reports.start()
            starting = asyncio.create_task(_start_when_possible(scheduler)) if scheduler else None
            try:
                yield
            finally:
                if starting is not None:
                    starting.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await starting
                if scheduler is not None and scheduler.started:
                    await scheduler.stop()  # first: jobs in flight finish while the database is open
                await reports.stop()
                await sender.stop()
                await close_calendars()
                if installer is not None:
                    use_installer(None)
                    await installer.close()
                if refresher is not None:
                    await refresher.stop()
                await database.dispose()

    app.cleanup_ctx.append(lifecycle)
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/calendar/{token}.ics", calendar_feed)
    return app


async def _start_when_possible(scheduler: SchedulerService, retry_seconds: float = 10.0) -> None:
    """Start the scheduler; while the database cannot be reached, keep trying (the bot still answers)."""
    while True:
        try:
            await scheduler.start()
            return
        except Exception as error:  # the job store's first query failed: the database is down
            log.warning("scheduler not started yet: %s", describe(error))
            await asyncio.sleep(retry_seconds)


def _signing_key_refresher(settings: Settings) -> SigningKeyRefresher | None:
    if not settings.authenticated:
        return None
    return SigningKeyRefresher(
        settings.openid_metadata_url or AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
    )


async def token_provider(settings: Settings) -> TokenProvider:
    if not settings.authenticated:
        return NoTokens()
    factory = ConfigurationServiceClientCredentialFactory(settings.bot_auth_config())
    credentials = await factory.create_credentials(
        settings.app_id,
        AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
        AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL,
        True,
    )
    return BotFrameworkTokens(credentials)


def _on_turn_error(
    settings: Settings, conversation_state: ConversationState
) -> Callable[[TurnContext, Exception], Awaitable[None]]:
    async def on_error(context: TurnContext, error: Exception) -> None:
        activity = context.activity
        if isinstance(error, StateConflictError):
            # Two messages of one chat at once: the other turn's state stands, and this one
            # is asked for again rather than overwriting it.
            log.info("turn %s lost a state race; asking the person to repeat", activity.id)
            reply = "I was still answering your previous message. Please send that last one again."
        else:
            log.error("turn failed in %s activity %s: %s", activity.type, activity.id, describe(error))
            reply = (
                "Sorry, something went wrong on my side and I couldn't finish that. "
                f"Please try again; if it keeps happening, contact {settings.support_contact}."
            )
            # A dialog that failed would fail again on the next message: start afresh.
            try:
                await conversation_state.delete(context)
            except Exception as state_error:  # the database may be what failed
                log.warning("could not reset the conversation state: %s", type(state_error).__name__)
        try:
            await context.send_activity(reply)
        except Exception as send_error:  # the channel may be what failed
            log.warning("could not tell the user about the error: %s", type(send_error).__name__)

    return on_error
