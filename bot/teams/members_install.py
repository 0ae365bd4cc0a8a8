"""Installing the bot for a person through Microsoft Graph, so that it can start a chat with them.

Only where the council granted the application permission
``TeamsAppInstallation.ReadWriteSelfForUser.All`` (``GRAPH_INSTALL_APP``): ``POST
/users/{id}/teamwork/installedApps`` with ``teamsApp@odata.bind`` naming the app in the
organisation's catalog (``TEAMS_CATALOG_APP_ID``). Graph answers 409 when the app is already
installed for them: that is success here.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from bot.config import Settings

if TYPE_CHECKING:
    from msgraph.graph_service_client import GraphServiceClient

# msgraph is imported only where it is used: its models take about 35 MB, and a service without
# GRAPH_INSTALL_APP never builds an installer (bench/memory.py measures the idle service).

log = logging.getLogger(__name__)


class GraphAppInstaller:
    """The :class:`~bot.outbox.chat_starts.AppInstaller` over the Graph SDK."""

    def __init__(
        self,
        client: GraphServiceClient,
        catalog_app_id: str,
        base_url: str,
        closers: Sequence[Callable[[], Awaitable[None]]] = (),
    ) -> None:
        self._client = client
        self._app = f"{base_url.rstrip('/')}/appCatalogs/teamsApps/{catalog_app_id}"
        self._closers = closers

    @classmethod
    def from_settings(cls, settings: Settings) -> GraphAppInstaller | None:
        """The installer when the permission is granted and Graph configured; else None."""
        graph = settings.graph
        if not settings.graph_install_app or graph is None or not settings.teams_catalog_app_id:
            return None
        from kiota_authentication_azure.azure_identity_authentication_provider import (
            AzureIdentityAuthenticationProvider,
        )

        from scheduler.calendars.graph import build_graph_client, make_credential

        credential = make_credential(graph)
        auth = AzureIdentityAuthenticationProvider(
            credential, scopes=[graph.scope], allowed_hosts=[graph.graph_host]
        )
        client, close = build_graph_client(auth, graph.base_url)
        return cls(client, settings.teams_catalog_app_id, graph.base_url, (close, credential.close))

    async def install_for(self, aad_object_id: str) -> None:
        if not aad_object_id:
            raise ValueError("installing the app needs the person's Entra object id")
        from msgraph.generated.models.o_data_errors.o_data_error import ODataError
        from msgraph.generated.models.user_scope_teams_app_installation import UserScopeTeamsAppInstallation

        body = UserScopeTeamsAppInstallation(additional_data={"teamsApp@odata.bind": self._app})
        try:
            await self._client.users.by_user_id(aad_object_id).teamwork.installed_apps.post(body)
        except ODataError as error:
            if error.response_status_code == 409:  # installed already
                return
            raise
        log.info("installed the app for a person through Graph")

    async def close(self) -> None:
        for closer in self._closers:
            await closer()
