"""Duplicates at three scales: inside one page, across one site (templates), across the corpus."""
