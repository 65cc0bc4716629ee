"""Settings for the benchmark's server: the production settings, changed only when they must be.

They add the `benchmarks` app, for `manage.py bench_data`.

Each simulated reader sends its own address in X-Forwarded-For, as the proxy in front of
gunicorn would, and the server trusts one proxy (DJANGO_TRUSTED_PROXY_COUNT=1), so the
per-reader rate limits count per simulated reader. On a branch without the proxy-aware
client address every request comes from 127.0.0.1 and the limits would refuse all but the
first few ratings; only then are the limits lifted for the run, and the results say so.
"""

from dystonia_portal.settings import *  # noqa: F403
from dystonia_portal.settings import INSTALLED_APPS, MIDDLEWARE, RATE_LIMITS

# The benchmark's own command, `manage.py bench_data` (benchmarks.data): never in the site's settings.
INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks"]

PROXY_AWARE = "dystonia_portal.middleware.ClientAddressMiddleware" in MIDDLEWARE
if not PROXY_AWARE:
    RATE_LIMITS = {scope: (10**9, period) for scope, (_limit, period) in RATE_LIMITS.items()}
