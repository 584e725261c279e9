def register(app):
    from trainee.activities import defaults  # noqa: F401  (registers the reference loader)
