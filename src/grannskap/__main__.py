import sys

from grannskap.cli import main

sys.exit(main())
