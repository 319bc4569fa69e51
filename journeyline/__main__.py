"""`python -m journeyline` is the `journeyline` command."""

from journeyline.cli.app import main

main()
