def register(app):
    from trainee.training import defaults, demo  # noqa: F401  (register reference, demo and bulk data)
