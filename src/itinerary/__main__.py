"""``python -m itinerary``: the command line."""

from itinerary.cli import main

main(prog_name="itinerary")
