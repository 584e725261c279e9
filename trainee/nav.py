"""Navigation and home-page widgets, contributed by each feature at registration.

A feature calls `nav.add(...)` and `home_widget(...)` in its `register(app)`, so adding a feature
never means editing a shared template.
"""
from dataclasses import dataclass, field

from flask import url_for

from trainee import policy


@dataclass(order=True)
class NavItem:
    order: int
    label: object = field(compare=False)
    endpoint: str = field(compare=False)
    action: str | None = field(compare=False, default=None)
    roles: tuple = field(compare=False, default=())


@dataclass(order=True)
class HomeWidget:
    order: int
    template: str = field(compare=False)
    context: object = field(compare=False)  # callable(user) -> dict | None (None hides the widget)
    roles: tuple = field(compare=False, default=())


NAV: list[NavItem] = []
WIDGETS: list[HomeWidget] = []


def add(label, endpoint, *, order=50, action=None, roles=()):
    if any(item.endpoint == endpoint for item in NAV):  # create_app may run more than once
        return
    NAV.append(NavItem(order, label, endpoint, action, tuple(roles)))
    NAV.sort()


def home_widget(template, context, *, order=50, roles=()):
    if any(w.template == template and w.roles == tuple(roles) for w in WIDGETS):
        return
    WIDGETS.append(HomeWidget(order, template, context, tuple(roles)))
    WIDGETS.sort()


def items_for(user):
    visible = []
    for item in NAV:
        if item.roles and not user.has_role(*item.roles):
            continue
        if item.action and not policy.can(user, item.action):
            continue
        visible.append({"label": item.label, "url": url_for(item.endpoint), "endpoint": item.endpoint})
    return visible


def widgets_for(user, role):
    rendered = []
    for widget in WIDGETS:
        if widget.roles and role not in widget.roles:
            continue
        context = widget.context(user)
        if context is not None:
            rendered.append((widget.template, context))
    return rendered
