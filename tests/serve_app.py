"""Run the app as its own process for tests that kill and restart the server.

    python -m tests.serve_app PORT    (settings from ANNOTATOR_* variables)
"""

from __future__ import annotations

import sys

from werkzeug.serving import run_simple

from annotator.app import create_app
from annotator.settings import Settings
from annotator.storage.restore import serving

if __name__ == "__main__":
    with serving(Settings().resolved_database_url()):
        run_simple("127.0.0.1", int(sys.argv[1]), create_app(), threaded=True)
