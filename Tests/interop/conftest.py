import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

# The real-Envoy traffic tests' shared mesh (one Fairway and its pods for the whole session).
from traffic_mesh import traffic  # noqa: E402,F401
