"""`python -m journeyline` is the `journeyline` command."""

from journeyline.cli.main import main

main()
