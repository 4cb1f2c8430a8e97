"""``python -m matchmaker``: the command line."""

from matchmaker._entry import main

main()
