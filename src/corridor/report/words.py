"""The words the reports print for the codes the store and the engine keep.

A corridor's status and a party's stance are stored and signed as English codes (``open``,
``reject``, ``accepted``), which must not change with the reader's language. Where a report
shows one to people it is translated here; a code without an entry is printed as it is. A
route's mode and a hazard's risk are worded where the engine keeps them
(:func:`corridor.negotiation.search.mode_words`, :func:`corridor.wording.risk`).
"""

from __future__ import annotations

from corridor.i18n import N_, _

_WORDS = {
    # A proposal's or corridor's status.
    "proposed": N_("proposed"), "rejected": N_("rejected"), "agreed": N_("agreed"),
    "open": N_("open"), "suspended": N_("suspended"), "closed": N_("closed"),
    # A judged route every party's rules accept (its opposite is "rejected").
    "accepted": N_("accepted"),
    # A party's stance on a proposal.
    "accept": N_("accept"), "reject": N_("reject"), "counter": N_("counter"),
}


def word(code: str) -> str:
    """``code`` in the active language, or as it is when it has no entry."""
    return _(_WORDS[code]) if code in _WORDS else code
