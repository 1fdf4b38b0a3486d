"""platform events in, neutral events out. Neutral replies out, platform calls made."""


class MalformedWebhook(ValueError):
    """A webhook body that passed its signature check but is not what the platform sends.

    Each adapter's parser raises only this for a bad body, whatever its JSON holds, so the web
    layer answers 400 and logs the platform's name, never the body (it may carry people's
    messages).
    """
