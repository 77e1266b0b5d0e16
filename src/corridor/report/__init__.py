"""Reports for people: the negotiation report, corridor sheets, and the maps they draw."""
