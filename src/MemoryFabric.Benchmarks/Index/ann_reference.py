#!/usr/bin/env python3
"""Reference ANN engines for `memfab bench index`: hnswlib and FAISS HNSW, on the vectors the C# side wrote.

Reads base.npy (n x d float32, unit rows), queries.npy (q x d float32) and gt.npy (q x k int32, the exact top-k by
inner product), builds each engine with the same M and efConstruction (on --build-threads threads, default 1), sweeps efSearch until
recall@k first reaches the target, re-measures the queries per second at that point (best of --repeat runs), and
prints one JSON object on stdout. Progress goes to stderr.

Queries per second are measured with one batched call per pass on one thread (hnswlib num_threads=1, FAISS
omp_set_num_threads(1)), so Python's per-call overhead is not charged to the libraries.

Bytes per vector: the growth of the process's resident set (VmRSS) from just before the index is created (library
imported, vectors loaded) to just after the build, divided by n (what the index really holds, allocator overhead
included), split into anonymous (RssAnon) and file-backed (RssFile + RssShmem) pages as /proc/self/status reports
them, and again at the end of the query phase; the size computed from the engine's documented layout is reported
beside it. `memfab bench index` runs one process per engine (--engines with one name) and measures MemoryFabric's
index the same way in a .NET process of its own.

Run with a python3 that has numpy, hnswlib and faiss (Debian: python3-hnswlib, python3-faiss, in the system python3).
"""

import argparse
import json
import sys
import time

import numpy as np


def log(message):
    print(f"ann_reference: {message}", file=sys.stderr, flush=True)


def rss():
    """VmRSS, RssAnon, RssFile and RssShmem of this process, in bytes."""
    values = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
                values[name] = int(rest.split()[0]) * 1024
    return {
        "total_bytes": values.get("VmRSS", 0),
        "anon_bytes": values.get("RssAnon", 0),
        "file_bytes": values.get("RssFile", 0),
        "shmem_bytes": values.get("RssShmem", 0),
    }


def growth(after, before):
    return {key: after[key] - before[key] for key in after}


def memory_fields(before, after_build, after_queries, n):
    grown = growth(after_build, before)
    return {
        "bytes_per_vector": grown["total_bytes"] / n,
        "rss_anon_bytes_per_vector": grown["anon_bytes"] / n,
        "rss_file_bytes_per_vector": (grown["file_bytes"] + grown["shmem_bytes"]) / n,
        "rss_baseline": before,
        "rss_growth_after_build": grown,
        "rss_growth_after_queries": growth(after_queries, before),
        "bytes_per_vector_method": "VmRSS growth of this engine's own process from just before the index is created to just after "
        + "the build / n: anonymous + file-backed pages (layout estimate beside it)",
    }


def version_of(module, distribution):
    version = getattr(module, "__version__", None)
    if version:
        return version
    try:
        import importlib.metadata

        return importlib.metadata.version(distribution)
    except Exception:  # noqa: BLE001 - the version is informative only
        return None


def recall_at_k(labels, truth, k):
    hits = 0
    for found, expected in zip(labels, truth):
        hits += len(set(int(x) for x in found[:k]) & set(int(x) for x in expected[:k]))
    return hits / (len(truth) * k)


def sweep(name, search, queries, truth, k, efs, target, repeat):
    """search(ef, queries) -> labels. Returns the sweep and the chosen point."""
    search(efs[0], queries[: min(len(queries), 100)])  # warm-up
    points = []
    chosen = None
    for ef in efs:
        start = time.perf_counter()
        labels = search(ef, queries)
        seconds = time.perf_counter() - start
        recall = recall_at_k(labels, truth, k)
        point = {"ef_search": ef, "recall_at_10": recall, "qps": len(queries) / seconds}
        points.append(point)
        log(f"{name}: efSearch {ef:4d}  recall@{k} {recall:.4f}  {point['qps']:9.0f} q/s")
        if recall >= target:
            chosen = point
            break
    reached = chosen is not None
    if chosen is None:
        chosen = max(points, key=lambda p: (p["recall_at_10"], p["qps"]))
    best = chosen["qps"]
    for _ in range(max(0, repeat - 1)):
        start = time.perf_counter()
        search(chosen["ef_search"], queries)
        best = max(best, len(queries) / (time.perf_counter() - start))
    chosen = dict(chosen, qps=best)
    return points, chosen, reached


def run_hnswlib(base, queries, truth, args, efs):
    import hnswlib

    n, dim = base.shape
    before = rss()
    index = hnswlib.Index(space="ip", dim=dim)
    index.init_index(max_elements=n, M=args.m, ef_construction=args.ef_construction, random_seed=args.seed)
    index.set_num_threads(args.build_threads)
    version = version_of(hnswlib, "hnswlib")
    log(f"hnswlib {version or '?'}: building {n} x {dim}, M {args.m}, efConstruction {args.ef_construction}, {args.build_threads} thread(s)")
    start = time.perf_counter()
    step = max(1, n // 20)
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        index.add_items(base[lo:hi], np.arange(lo, hi), num_threads=args.build_threads)
        elapsed = time.perf_counter() - start
        log(f"hnswlib: {hi}/{n} built ({hi / elapsed:.0f}/s)")
    build = time.perf_counter() - start
    after_build = rss()
    # hnswlib layout: per element, the level-0 block (links M0*4 + 4 count, the float32 vector, an 8-byte label), an
    # 8-byte pointer to the upper links, a 4-byte level, a std::mutex (40 bytes) in link_list_locks_, a label_lookup_
    # hash-map entry (about 40 bytes), and upper links ((M*4 + 4) per level, 1/(M-1) levels on average).
    m0 = 2 * args.m
    layout = (m0 * 4 + 4) + dim * 4 + 8 + 8 + 4 + 40 + 40 + (args.m * 4 + 4) / (args.m - 1)

    def search(ef, q):
        index.set_ef(ef)
        labels, _ = index.knn_query(q, k=args.k, num_threads=1)
        return labels

    points, chosen, reached = sweep("hnswlib", search, queries, truth, args.k, efs, args.target, args.repeat)
    return {
        "version": version,
        "threads": args.build_threads,
        "build_seconds": build,
        "build_vectors_per_second": n / build,
        **memory_fields(before, after_build, rss(), n),
        "bytes_per_vector_layout": layout,
        "ef_search": chosen["ef_search"],
        "recall_at_10": chosen["recall_at_10"],
        "qps": chosen["qps"],
        "reached_target": reached,
        "sweep": points,
    }


def run_faiss(base, queries, truth, args, efs):
    import faiss

    faiss.omp_set_num_threads(args.build_threads)
    n, dim = base.shape
    before = rss()
    index = faiss.IndexHNSWFlat(dim, args.m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = args.ef_construction
    log(f"faiss {faiss.__version__}: building {n} x {dim}, M {args.m}, efConstruction {args.ef_construction}, {args.build_threads} thread(s)")
    start = time.perf_counter()
    step = max(1, n // 20)
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        index.add(base[lo:hi])
        elapsed = time.perf_counter() - start
        log(f"faiss: {hi}/{n} built ({hi / elapsed:.0f}/s)")
    build = time.perf_counter() - start
    after_build = rss()
    faiss.omp_set_num_threads(1)  # queries on one thread
    # FAISS layout: the float32 vector, then links: 2M on level 0 and M per upper level (int32), an 8-byte offset and
    # a 4-byte level per element.
    layout = dim * 4 + 2 * args.m * 4 + args.m * 4 / (args.m - 1) + 8 + 4

    def search(ef, q):
        index.hnsw.efSearch = ef
        _, labels = index.search(q, args.k)
        return labels

    points, chosen, reached = sweep("faiss", search, queries, truth, args.k, efs, args.target, args.repeat)
    return {
        "version": faiss.__version__,
        "threads": args.build_threads,
        "build_seconds": build,
        "build_vectors_per_second": n / build,
        **memory_fields(before, after_build, rss(), n),
        "bytes_per_vector_layout": layout,
        "ef_search": chosen["ef_search"],
        "recall_at_10": chosen["recall_at_10"],
        "qps": chosen["qps"],
        "reached_target": reached,
        "sweep": points,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--queries", required=True)
    parser.add_argument("--gt", required=True)
    parser.add_argument("--m", type=int, default=16)
    parser.add_argument("--ef-construction", type=int, default=200)
    parser.add_argument("--ef", default="10,16,20,24,32,48,64,96,128,192,256,384,512,800")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--target", type=float, default=0.95)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=100)
    parser.add_argument("--engines", default="hnswlib,faiss")
    parser.add_argument("--build-threads", type=int, default=1)
    args = parser.parse_args()

    base = np.ascontiguousarray(np.load(args.base), dtype=np.float32)
    queries = np.ascontiguousarray(np.load(args.queries), dtype=np.float32)
    truth = np.load(args.gt)
    efs = [int(x) for x in args.ef.split(",") if x]
    result = {}
    errors = {}
    for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
        runner = {"hnswlib": run_hnswlib, "faiss": run_faiss}.get(engine)
        if runner is None:
            errors[engine] = "unknown engine"
            continue
        try:
            result[engine] = runner(base, queries, truth, args, efs)
        except ImportError as e:
            errors[engine] = f"not installed ({e}); apt-get install -y python3-hnswlib python3-faiss"
            log(f"{engine}: {errors[engine]}")
    json.dump({"engines": result, "errors": errors}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
