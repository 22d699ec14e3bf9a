"""The Ray engine: the same pipeline as Ray Data stages over input shards (needs the ``ray``
extra: ``pip install 'cleaner[ray]'``).

- :mod:`.engine`: a whole run on a Ray cluster;
- :mod:`.shards`: the work on one input shard, in plain Python (no Ray import);
- :mod:`.corpus`, :mod:`.paragraphs`: the corpus steps as Ray Data shuffles;
- :mod:`.storage`: paths through pyarrow's filesystems (local, ``s3://``, ``gs://``, ...).
"""
