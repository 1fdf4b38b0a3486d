"""The sending engine: deliveries -> work queue -> workers -> channel senders.

In-process with SQLite by default; with REDIS_URL, workers on many machines share the work
through a Redis stream and the rate limits through Redis.
"""
