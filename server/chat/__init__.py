"""Chat: direct and group conversations over HTTP, delivered live through Socket.IO."""
