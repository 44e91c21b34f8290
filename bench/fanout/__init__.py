"""Socket.IO broadcast benchmark: Plaza against the reference Node.js Socket.IO 4 server."""
