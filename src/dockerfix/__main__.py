import sys

from dockerfix.cli import main

sys.exit(main())
