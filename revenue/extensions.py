"""How duty apps add to core pages without the core importing them: a duty app registers a
panel for the party page in its AppConfig.ready()."""

from collections.abc import Callable

PartyPanel = Callable[[object, object], dict | None]  # (party, request) -> {"title", "template", ...} or None
party_panels: list[PartyPanel] = []


def party_panel(fn: PartyPanel) -> PartyPanel:
    party_panels.append(fn)
    return fn
