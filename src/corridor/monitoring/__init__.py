"""Watching proposals, agreements and corridors as the situation changes.

A new situation snapshot moves the service's world (re-annotated where ground changed, the
router re-weighted, never rebuilt); every subject still open is routed and judged again, and
what holds for it now (:mod:`.findings`) is compared with what held before: only conditions
that came with the snapshot raise alerts.
"""
