"""The comms team's content tools: what is pinned, the digest's editing, read-confirmation
statistics and the one reminder, scheduled posts and the worker job that publishes them."""
