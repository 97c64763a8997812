import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent / "properties"))

from hypothesis import HealthCheck, settings  # noqa: E402

os.environ["NODECFG_NO_CACHE"] = "1"  # tests exercise the real pipeline; tests/test_cache.py opts back in

settings.register_profile("ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# tests/differential: 2,000 examples against the real nodeadm (about 1-2 s each)
settings.register_profile("differential", max_examples=2000, deadline=None,
                          suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite golden/*/expected from the current output (review the diff!)")
