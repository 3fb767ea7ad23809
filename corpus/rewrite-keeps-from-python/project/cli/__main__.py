import sys

from docopt import docopt

import cli

arguments = docopt(cli.__doc__, argv=sys.argv[1:])
print(f"hello {arguments['--name'] or 'world'} from Python {sys.version_info.major}.{sys.version_info.minor}")
