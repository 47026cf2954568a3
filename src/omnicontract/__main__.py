"""``python -m omnicontract``: the command, where the script is not on the PATH."""

from omnicontract.cli.main import main

main()
