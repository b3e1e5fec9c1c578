import sys

from userpool.cli import main

sys.exit(main())
