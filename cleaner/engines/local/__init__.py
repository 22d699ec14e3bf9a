"""The local engine: one machine, a process pool.

- :mod:`.run`: a whole run (pass 1, corpus passes, final pass, report);
- :mod:`.pool`: the pass-1 worker pool that survives a worker that dies or hangs;
- :mod:`.passes`: the corpus passes and the final pass over spool files;
- :mod:`.procs`: stopping pools, workers that die with the driver, CPU and memory used.
"""
