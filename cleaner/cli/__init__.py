"""The ``cleaner`` command line (:mod:`.main`), ``cleaner explain`` (:mod:`.explain`),
``cleaner show`` (:mod:`.show`) and what the command line prints (:mod:`.messages`)."""
