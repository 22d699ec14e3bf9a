"""Reading corpora and writing results: readers by file suffix, charset decoding, sharded writers."""
