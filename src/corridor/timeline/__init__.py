"""The situation over time: what changed between two snapshots, and the talks replayed per date.

:mod:`~corridor.timeline.diff` compares two dates (ground that changed hands, settlements,
hazards, and what that did to every proposal and suggestion); :mod:`~corridor.timeline.replay`
walks the whole timeline; :mod:`~corridor.timeline.plot` draws one small map per date. All of
them move one built world from date to date (:meth:`corridor.world.World.move_to`): the router
is re-weighted, never rebuilt.
"""
