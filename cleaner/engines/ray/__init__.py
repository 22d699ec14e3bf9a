"""The Ray engine: the same pipeline as Ray Data stages over input shards (needs the ``ray``
extra: ``pip install 'cleaner[ray]'``).

- :mod:`.engine`: a whole run on a Ray cluster;
- :mod:`.shards`: the work on one input shard, in plain Python (no Ray import);
- :mod:`.corpus`: the shuffle plumbing the corpus stages share; :mod:`.templates`, :mod:`.exact`,
  :mod:`.near`, :mod:`.paragraphs`: each corpus step as Ray Data shuffles, deciding with the
  step's own functions; :mod:`.stages`: the stage of each step;
- :mod:`.storage`: paths through pyarrow's filesystems (local, ``s3://``, ``gs://``, ...).
"""
