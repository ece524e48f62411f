using System.Globalization;
using System.Text;

namespace MemoryFabric.Benchmarks.Split;

/// <summary>The figures of one <c>memfab bench split</c> run.</summary>
public sealed class SplitBenchmarkReport
{
    /// <summary>The data, in words.</summary>
    public required string Dataset { get; init; }

    /// <summary>The settings.</summary>
    public required string Settings { get; init; }

    /// <summary>The processor count.</summary>
    public int Cores { get; init; } = Environment.ProcessorCount;

    /// <summary>Vectors/s while filling the shard (one stream, journaled before each acknowledgement).</summary>
    public double IngestVectorsPerSecond { get; init; }

    /// <summary>Searches before the split.</summary>
    public required SplitPhase Before { get; init; }

    /// <summary>Searches while the split ran.</summary>
    public required SplitPhase During { get; init; }

    /// <summary>Searches after the split.</summary>
    public required SplitPhase After { get; init; }

    /// <summary>Seconds from asking for the split to the new table (the copy).</summary>
    public double SecondsToCommit { get; init; }

    /// <summary>Seconds from asking for the split to the source retired.</summary>
    public double SplitSeconds { get; init; }

    /// <summary>Items the copy moved per second.</summary>
    public double CopyItemsPerSecond { get; init; }

    /// <summary>Writes (batches) acknowledged during the split, and their latency.</summary>
    public int WritesDuringSplit { get; init; }

    /// <summary>Write latency p50 during the split, ms.</summary>
    public double WriteP50Ms { get; init; }

    /// <summary>Write latency p99 during the split, ms.</summary>
    public double WriteP99Ms { get; init; }

    /// <summary>Writes that met the retired source and were routed again.</summary>
    public int WritesRerouted { get; init; }

    /// <summary>Items every shard of the table holds after the split.</summary>
    public required IReadOnlyList<int> ItemsPerShardAfter { get; init; }

    /// <summary>Items expected (the shard's plus those written during the split).</summary>
    public int ItemsExpected { get; init; }

    /// <summary>Whether the shards hold exactly the expected keys, each once.</summary>
    public bool EveryItemKept { get; init; }

    /// <summary>The table as text (kept for the output).</summary>
    /// <returns>The rendering.</returns>
    public string Render()
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"memfab bench split: {Dataset}");
        text.AppendLine(c, $"  {Settings}; {Cores} cores");
        text.AppendLine(c, $"  fill: {IngestVectorsPerSecond:F0} vectors/s into one shard");
        text.AppendLine("  phase    shards  queries  recall@k  p50 ms  p99 ms  max ms");
        foreach (var (name, phase) in new[] { ("before", Before), ("during", During), ("after", After) })
        {
            var recall = phase.Recall is { } r ? r.ToString("F4", c) : "   –  ";
            text.AppendLine(c, $"  {name,-7} {phase.Shards,6}  {phase.Queries,7}  {recall,8}  {phase.P50Ms,6:F2}  {phase.P99Ms,6:F2}  {phase.MaxMs,6:F1}");
        }

        text.AppendLine(c, $"  split: table with the halves after {SecondsToCommit:F1} s ({CopyItemsPerSecond:F0} items/s copied), source retired after {SplitSeconds:F1} s");
        text.AppendLine(c, $"  writes during the split: {WritesDuringSplit} batches, p50 {WriteP50Ms:F2} ms, p99 {WriteP99Ms:F2} ms, {WritesRerouted} routed again after meeting the retired source");
        text.AppendLine(c, $"  items after: {string.Join(" + ", ItemsPerShardAfter)} = {ItemsPerShardAfter.Sum()} of {ItemsExpected} expected; every key once, in its shard: {(EveryItemKept ? "yes" : "NO")}");
        return text.ToString();
    }
}

/// <summary>The searches of one phase.</summary>
/// <param name="Shards">Shards in the table at the phase's end.</param>
/// <param name="Queries">Queries answered.</param>
/// <param name="Recall">recall@k against exact search (none during the split, while items move).</param>
/// <param name="P50Ms">Latency p50 (table read + fan-out + merge), ms.</param>
/// <param name="P99Ms">Latency p99, ms.</param>
/// <param name="MaxMs">The slowest, ms.</param>
public sealed record SplitPhase(int Shards, int Queries, double? Recall, double P50Ms, double P99Ms, double MaxMs);
