"""The live layer: Socket.IO server, server-side rooms, presence, the event publisher.

Handed an authenticator and a room resolver by `server/app.py`; never imports `server/`.
See docs/realtime.md.
"""
