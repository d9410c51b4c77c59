"""python3 -m hector: the main job (hector.main)."""

import sys

from .main import main

sys.exit(main())
