"""The coordination store: parties, talks, proposals, agreements, corridors and their audit log."""
