"""Reference data (the training model, activity types, checklist items, point rules...).

Features register idempotent loaders; `load_reference()` runs them in order. It is called by
`flask --app app init-reference`, by `seed-demo`, and by the tests after building a clean database.
"""
LOADERS: list[tuple[int, object]] = []


def loader(order: int = 50):
    def register(func):
        if all(f.__qualname__ != func.__qualname__ or f.__module__ != func.__module__ for _o, f in LOADERS):
            LOADERS.append((order, func))
            LOADERS.sort(key=lambda pair: pair[0])
        return func
    return register


def load_reference() -> None:
    from trainee.extensions import db

    for _order, func in LOADERS:
        func()
    db.session.commit()
