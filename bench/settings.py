"""Production settings, with the collected static files kept under bench/out/.

DEBUG off stores static files in a manifest, so pages need `collectstatic` first; the
benchmarks collect into bench/out/staticfiles (ignored by git) rather than the project's
staticfiles/. Nothing else differs from config.settings.base.
"""

from config.settings.base import *  # noqa: F403
from config.settings.base import BASE_DIR

STATIC_ROOT = BASE_DIR / "bench" / "out" / "staticfiles"
