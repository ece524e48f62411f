using System.Diagnostics;
using System.Numerics.Tensors;

namespace MemoryFabric.Benchmarks.Index;

/// <summary>Exact top-k by inner product with <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>:
/// the ground truth (all cores) and the brute-force baseline (one thread).</summary>
public static class ExactSearch
{
    /// <summary>The exact top-k of one query (indices, best first; ties by index).</summary>
    /// <param name="set">The vectors.</param>
    /// <param name="query">The query.</param>
    /// <param name="k">k.</param>
    /// <param name="scores">A buffer of <see cref="VectorSet.Count"/> floats.</param>
    /// <returns>The indices.</returns>
    public static int[] TopK(VectorSet set, ReadOnlySpan<float> query, int k, float[] scores)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(scores);
        var dimensions = set.Dimensions;
        var data = set.Base;
        var n = set.Count;
        for (var i = 0; i < n; i++)
        {
            scores[i] = TensorPrimitives.Dot(data.AsSpan(i * dimensions, dimensions), query);
        }

        // A bounded min-heap of the k best (score, index).
        k = Math.Min(k, n);
        var heap = new (float Score, int Index)[k];
        var size = 0;
        for (var i = 0; i < n; i++)
        {
            var s = scores[i];
            if (size < k)
            {
                heap[size] = (s, i);
                SiftUp(heap, size++);
            }
            else if (s > heap[0].Score)
            {
                heap[0] = (s, i);
                SiftDown(heap, size);
            }
        }

        Array.Sort(heap, 0, size, Comparer<(float Score, int Index)>.Create(static (a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Index.CompareTo(b.Index)));
        return heap.Take(size).Select(h => h.Index).ToArray();
    }

    /// <summary>The exact top-k of every query, on all cores.</summary>
    /// <param name="set">The vectors.</param>
    /// <param name="k">k.</param>
    /// <param name="cancellationToken">Cancels.</param>
    /// <returns>One array per query.</returns>
    public static int[][] GroundTruth(VectorSet set, int k, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(set);
        var truth = new int[set.QueryCount][];
        Parallel.For(
            0,
            set.QueryCount,
            new ParallelOptions { CancellationToken = cancellationToken },
            () => new float[set.Count],
            (q, _, scores) =>
            {
                truth[q] = TopK(set, set.Query(q), k, scores);
                return scores;
            },
            _ => { });
        return truth;
    }

    /// <summary>Single-thread brute-force queries per second (queries in order, repeated until at least
    /// <paramref name="minSeconds"/> have passed or all queries ran).</summary>
    /// <param name="set">The vectors.</param>
    /// <param name="k">k.</param>
    /// <param name="minSeconds">The least measuring time.</param>
    /// <param name="cancellationToken">Cancels.</param>
    /// <returns>Queries per second.</returns>
    public static double MeasureQps(VectorSet set, int k, double minSeconds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(set);
        var scores = new float[set.Count];
        TopK(set, set.Query(0), k, scores);
        var watch = Stopwatch.StartNew();
        var done = 0;
        while (done < set.QueryCount && (done < 20 || watch.Elapsed.TotalSeconds < minSeconds))
        {
            cancellationToken.ThrowIfCancellationRequested();
            TopK(set, set.Query(done), k, scores);
            done++;
        }

        return done / watch.Elapsed.TotalSeconds;
    }

    private static void SiftUp((float Score, int Index)[] heap, int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) / 2;
            if (!Worse(heap[i], heap[parent]))
            {
                break;
            }

            (heap[i], heap[parent]) = (heap[parent], heap[i]);
            i = parent;
        }
    }

    private static void SiftDown((float Score, int Index)[] heap, int size)
    {
        var i = 0;
        while (true)
        {
            var left = (2 * i) + 1;
            if (left >= size)
            {
                break;
            }

            var child = left + 1 < size && Worse(heap[left + 1], heap[left]) ? left + 1 : left;
            if (!Worse(heap[child], heap[i]))
            {
                break;
            }

            (heap[i], heap[child]) = (heap[child], heap[i]);
            i = child;
        }
    }

    // The heap keeps the worst of the k best on top: lower score, or equal score and higher index.
    private static bool Worse((float Score, int Index) a, (float Score, int Index) b) =>
        a.Score < b.Score || (a.Score == b.Score && a.Index > b.Index);
}
