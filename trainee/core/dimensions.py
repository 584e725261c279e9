"""The four dimensions of the points-based assessment (积分制考核)."""
from flask_babel import lazy_gettext as _l

from trainee.core.db import LabelledEnum


class Dimension(LabelledEnum):
    D1 = ("d1", _l("职能发挥"))
    D2 = ("d2", _l("履职效能"))
    D3 = ("d3", _l("自身建设"))
    D4 = ("d4", _l("综合评价"))
