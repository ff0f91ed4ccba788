"""``python -m itinerary``: the command line."""

from _itinerary_entry import main

main()
