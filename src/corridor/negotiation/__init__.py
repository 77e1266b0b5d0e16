"""Negotiation: every proposal judged by every party, and the corridors all parties could sign."""
