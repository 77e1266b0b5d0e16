"""The authorisation policy: one table of named actions and the roles that may take each.

It also says whether a role acts only for its own party.

Every route depends on :func:`permit` for exactly one action (the app writes it into the OpenAPI
document as ``x-corridor-action``, and a test checks that every operation has one); ``/api/me``
serves the table's rows for the caller, and the dashboard shows its controls from that answer
instead of a copy of the rules.

Suspending a corridor is a facilitator's decision, whether it is asked for by changing the
status or by reporting an incident with ``suspend``: a party's liaison or an operator reports
what happened, and the facilitator, who answers to every party, stops the movements.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Annotated, get_args

from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.routing import BaseRoute

from corridor.i18n import N_, _
from corridor.store.models import User
from corridor.store.schemas import Role

from .auth import speaking_user

ROLES: tuple[Role, ...] = get_args(Role)
OPENAPI_KEY = "x-corridor-action"


@dataclass(frozen=True)
class Rule:
    """Who may take an action: ``roles``, of which those in ``own_party`` only for their party.

    ``description`` is the English text; it is translated where it is shown.
    """

    description: str
    roles: frozenset[Role]
    own_party: frozenset[Role] = frozenset()


def _rule(description: str, *roles: Role, own_party: tuple[Role, ...] = ()) -> Rule:
    return Rule(description, frozenset(roles), frozenset(own_party))


POLICY: dict[str, Rule] = {
    "read": _rule(N_("Read everything the service holds"), *ROLES),
    "token.rotate_own": _rule(N_("Replace one's own bearer token"), *ROLES),
    "language.set_own": _rule(N_("Choose the language the service answers one in"), *ROLES),
    "route.query": _rule(N_("Route between places on the scenario's situation and see each "
                            "party's verdict (nothing is stored)"), *ROLES),
    "user.manage": _rule(N_("List users, revoke and re-issue their tokens"), "facilitator"),
    "party.create": _rule(N_("Register a party"), "facilitator"),
    "party.set_key": _rule(N_("Register or rotate a party's public key"), "liaison",
                           own_party=("liaison",)),
    "talks.create": _rule(N_("Record a round of talks"), "facilitator"),
    "proposal.create": _rule(N_("Table a proposal"), "facilitator", "liaison",
                             own_party=("liaison",)),
    "proposal.draft": _rule(N_("Draft proposals from a published statement, to edit before "
                               "tabling them"), "facilitator"),
    "position.create": _rule(N_("Take a party's position on a proposal"), "liaison",
                             own_party=("liaison",)),
    "agreement.create": _rule(N_("Draft an agreement for the parties to sign"), "facilitator"),
    "signature.create": _rule(N_("Sign an agreement for a party"), "liaison",
                              own_party=("liaison",)),
    "corridor.create": _rule(N_("Set up a corridor"), "facilitator"),
    "corridor.change_status": _rule(N_("Move a corridor along its life cycle"), "facilitator"),
    "corridor.suspend": _rule(N_("Suspend an open corridor, by status or with an incident"),
                              "facilitator"),
    "notification.create": _rule(N_("Announce a movement"), "facilitator", "operator"),
    "acknowledgement.create": _rule(N_("Acknowledge or deny a movement for a party"), "liaison",
                                    own_party=("liaison",)),
    "incident.create": _rule(N_("Report an incident"), "facilitator", "operator", "liaison"),
    "convoy_report.create": _rule(N_("Report a convoy's progress"), "facilitator", "operator"),
    "situation.create": _rule(N_("Post a new picture of the ground, re-judging what is open"),
                              "facilitator", "operator"),
    "alert.acknowledge": _rule(N_("Acknowledge an alert for a party"), "liaison",
                               own_party=("liaison",)),
}


def _forbidden(message: str) -> HTTPException:
    return HTTPException(status.HTTP_403_FORBIDDEN, message)


def check(user: User, action: str, party_id: str | None = None) -> None:
    """Raise 403 unless ``user`` may take ``action`` (for ``party_id``, when it names one)."""
    rule = POLICY[action]
    if user.role not in rule.roles:
        raise _forbidden(_("role {role} may not do this; needs {roles}").format(
            role=user.role, roles=_(" or ").join(r for r in ROLES if r in rule.roles)))
    if party_id is not None and user.role in rule.own_party and user.party_id != party_id:
        raise _forbidden(_("{role} of party {own} cannot act for party {party}").format(
            role=user.role, own=user.party_id, party=party_id))


def permit(action: str) -> Callable[[User], User]:
    """Dependency admitting only users who may take ``action``; the route is filed under it."""
    if action not in POLICY:
        raise KeyError(_("no action {action!r} in the policy").format(action=action))

    def _permitted(user: Annotated[User, Depends(speaking_user)]) -> User:
        check(user, action)
        return user

    _permitted.action = action  # type: ignore[attr-defined]
    return _permitted


Reader = Annotated[User, Depends(permit("read"))]


class MayOut(BaseModel):
    """One thing the caller may do; ``party`` limits it to acting for that party."""

    action: str
    description: str
    party: str | None


def allowed(user: User) -> list[MayOut]:
    """The table's rows for ``user``: what ``/api/me`` answers, described in their language."""
    return [MayOut(action=name, description=_(rule.description),
                   party=user.party_id if user.role in rule.own_party else None)
            for name, rule in POLICY.items() if user.role in rule.roles]


def _actions(dependant: Dependant) -> set[str]:
    action = getattr(dependant.call, "action", None)
    found = {action} if isinstance(action, str) else set()
    for sub in dependant.dependencies:
        found |= _actions(sub)
    return found


def _routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    """Every API route, including those of included routers (which the app keeps whole)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif (included := getattr(route, "original_router", None)) is not None:
            yield from _routes(included.routes)


def file_routes(app: FastAPI) -> None:
    """Write each route's action into the OpenAPI document.

    There the policy test finds a route that depends on none (or, ambiguously, on several).
    """
    for route in _routes(app.router.routes):
        if len(actions := _actions(route.dependant)) == 1:
            route.openapi_extra = {**(route.openapi_extra or {}), OPENAPI_KEY: actions.pop()}
