"""Corpus steps: what only many documents tell. Site templates, repeated paragraphs, exact and
near-duplicate documents (duplicates inside one page are a per-document step: :mod:`cleaner.page.duplicates`).

Stable public API shared by every engine (the local process-pool engine in
:mod:`cleaner.engines.local.run` and the Ray Data engine); names and signatures do not change:

Site templates (:mod:`.templates`)
    ``host_of(url) -> str | None``; ``block_key(text) -> int`` (64-bit, digits folded);
    ``host_key(host) -> int`` (32-bit); ``template_keys(host, block_texts) -> uint64[k]``
    (``host_key << 32 | block_key & 0xFFFFFFFF``, 0 for blocks with no words);
    ``page_key(host, keys) -> int`` (exact copies of a page on one host count once);
    ``is_template(block_pages, host_pages, min_pages, min_share) -> bool | bool[]``;
    ``template_blocks(keys, pages, hosts, host_pages, min_pages, min_share)`` (the blocks
    that are templates, given their page counts and their hosts') and
    ``TemplateDecision.from_blocks(...)`` (``.report()``): the decision, in every engine.

Exact duplicates (:mod:`.exact`)
    ``text_key(text) -> int``: 64-bit key of the normalised text (0 for no words);
    ``exact_drops(sorted_keys, members, ids, ordinals, keep) -> DropDecision``: the
    decision over groups of equal keys, in every engine.

Near duplicates (:mod:`cleaner.similarity`: ``minhash``, ``lsh``, ``clusters``; re-exported by :mod:`.near`)
    ``shingles(text, word_n, char_n) -> uint64[k]`` (sorted distinct shingle hashes);
    ``MinHasher(num_perm, seed)`` with ``.signature(hashes) -> uint32[P]`` and
    ``.signatures(list_of_hashes) -> uint32[n, P]``;
    ``exact_jaccard(hashes_a, hashes_b)``, ``estimate_jaccard(sig_a, sig_b)``;
    ``bottom_k(hashes, k) -> uint32[<=k]`` and ``sketch_jaccard(sketch_a, sketch_b, k)``
    (the verification sketch: exact for sets of at most ``k`` shingles);
    ``optimal_bands(threshold, num_perm, max_bands=None, fp_weight=0.5, min_recall=None)
    -> (bands, rows)`` and ``candidate_probability(similarity, bands, rows)``;
    ``band_keys(signatures, bands, rows) -> uint64[n, bands]``;
    ``buckets(keys_of_one_band) -> iterator of int64[m]``;
    ``verification_order(members, signatures)`` (the order a bucket is verified in: by
    signature for a bucket too large to check every pair);
    ``bucket_pairs(member_indexes, signatures, threshold, sizes=None, exact=None, connected=None)
    -> [(i, j, similarity)]`` (verification of one LSH bucket);
    ``UnionFind(n)`` (``union``, ``find``, ``clusters()``);
    ``pick_survivor(members, sizes, ids, keep="longest") -> ordinal`` and
    ``choose_survivors(clusters, sizes, ids, similarity=None, keep="longest") -> {dropped: (kept_id, similarity)}``
    (``keep="first"``: the smallest member, the earliest in input order);
    ``size_histogram(cluster_sizes) -> {"2": n, ...}`` (the reports' ``cluster_sizes``).

Repeated paragraphs (:mod:`.paragraphs`)
    ``normalize_paragraph(text) -> str``; ``paragraph_keys(texts, boilerplate_chars,
    min_chars) -> uint64[k]`` (low bits: SHORT, LONG); ``sort_rows(keys, docs)`` and
    ``group_rows(keys, docs, hosts, min_hosts, repeat_hosts) -> Groups`` (the decision over
    all rows of some keys: the local engine per disk partition, Ray per shuffle group);
    ``ParagraphDecision`` (``.with_drops(drop_decisions)``: kept copies that a later step
    drops move to that document's survivor).

Decisions of the dropping steps (:mod:`.drops`): ``DropDecision(ords, kept_ids, similarity,
kept_ords, settings)`` (``.by_ordinal(...)``, ``.find(ordinal) -> (kept_id, similarity) | None``,
``.report()``), built by ``drops_from_clusters(clusters, sizes, ids, ordinals, similarity,
keep, settings)`` (one survivor per cluster) in both engines; the exact and
near-duplicate steps are ``DropStep`` s. ``settle_decisions(decisions)``: each decision told
what later steps drop (both engines, once every step has decided).

The step protocol (:class:`cleaner.steps.CorpusStep`): ``from_options`` -> ``fingerprint``
(``prepare``) -> ``observe`` -> ``decide()`` returns the decision (``DropDecision``,
``TemplateDecision``, ``ParagraphDecision``: small, picklable, with ``report()``) ->
``Step.applying(decision).apply(ordinal, doc)`` wherever the documents are.

Runs of equal rows in sorted columns (:mod:`cleaner.containers.runs`): ``run_mask``,
``run_starts``, ``runs``, ``run_counts``.

Compact containers (:mod:`cleaner.containers.compact`): ``ChunkedRows``, ``KeyCounter``, ``RepeatCounter``, ``U64Set``, ``SortedU64Set``, ``PackedStrings``,
``RowStore`` / ``StringStore`` (disk-backed, read with ``pread``), ``SpillDir``.

Survivor rule: near duplicates keep the most shingles, then the smallest id; exact
duplicates the smallest id; both independent of input order (``--near-dup-keep first``,
``--exact-dup-keep first``: the earliest in input order).

Defaults (measured, see ``benchmarks/dedup_templates.py`` and the near-duplicate
figures in the README): templates on at least 4 distinct pages and 20 % of a host's
pages; near-duplicates at Jaccard similarity 0.55 of word 5-gram sets, 128
permutations, 32 bands of 4 rows, bottom-512 verification sketches.
"""
