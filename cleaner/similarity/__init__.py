"""Near-duplicate algorithms: shingles and MinHash signatures (:mod:`.minhash`), LSH bands
and rows and bucket verification (:mod:`.lsh`), union-find clusters and survivors
(:mod:`.clusters`)."""
