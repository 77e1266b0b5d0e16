"""HTTP API of the coordination service: REST resources under ``/api/`` and an event stream."""
