using System.Globalization;
using System.Text;

namespace MemoryFabric.Benchmarks.LargeAgent;

/// <summary>The figures of one <c>memfab bench large-agent</c> run.</summary>
public sealed class LargeAgentBenchmarkReport
{
    /// <summary>The data, in words.</summary>
    public required string Dataset { get; init; }

    /// <summary>The settings, in words.</summary>
    public required string Settings { get; init; }

    /// <summary>The processor count.</summary>
    public int Cores { get; init; } = Environment.ProcessorCount;

    /// <summary>Seconds to write both agents' turns and ship every vector to the shards.</summary>
    public double IngestSeconds { get; init; }

    /// <summary>The agent that holds all its turn vectors (the threshold off).</summary>
    public required LargeAgentPhase Kept { get; init; }

    /// <summary>The same turns in an agent past the threshold (its acknowledged turn vectors offloaded).</summary>
    public required LargeAgentPhase Offloaded { get; init; }

    /// <summary>Of the two agents' top-10 hits per query, the share they have in common (same turns).</summary>
    public double Top10Agreement { get; init; }

    /// <summary>The report as text.</summary>
    /// <returns>The text.</returns>
    public string Render()
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"memfab bench large-agent: {Dataset}");
        text.AppendLine(c, $"  {Settings}; {Cores} cores; written and shipped in {IngestSeconds:F1} s");
        text.AppendLine("  agent      turn vectors held/offloaded  activation heap MB  first search ms  p50 ms  p99 ms  dense recall@10");
        foreach (var (name, p) in new[] { ("kept", Kept), ("offloaded", Offloaded) })
        {
            text.AppendLine(c, $"  {name,-10} {p.LocalTurnVectors,12:N0} / {p.OffloadedTurnVectors,-13:N0} {p.ActivationHeapBytes / 1048576.0,18:F1}  {p.FirstSearchMs,15:F1}  {p.P50Ms,6:F2}  {p.P99Ms,6:F2}  {p.DenseRecallAt10,15:F4}");
        }

        text.AppendLine(c, $"  the offloaded agent's shards, activated alone: {Offloaded.ShardHeapBytes / 1048576.0:F1} MB of heap (shared by every agent of the tenant)");
        text.AppendLine(c, $"  top-10 hits in common between the two agents: {Top10Agreement:P1}");
        return text.ToString();
    }
}

/// <summary>One agent's figures.</summary>
/// <param name="LocalTurnVectors">Turn vectors its activation holds.</param>
/// <param name="OffloadedTurnVectors">Turn vectors only the shards hold.</param>
/// <param name="ActivationHeapBytes">Managed heap the agent's activation adds (after a full collection; the shards'
/// own heap taken out for the offloaded agent).</param>
/// <param name="ShardHeapBytes">Managed heap the tenant's shards add when activated alone (0 when the agent's searches
/// do not touch them).</param>
/// <param name="FirstSearchMs">The first search after activation (a kept agent decodes its stored vectors and builds
/// its HNSW graph then).</param>
/// <param name="P50Ms">Search latency p50 (the agent's full search: lexical, dense, fusion), ms.</param>
/// <param name="P99Ms">Search latency p99, ms.</param>
/// <param name="DenseRecallAt10">The agent's dense turn candidates (dense ranks 1-10) against exact search over the
/// same turn vectors.</param>
public sealed record LargeAgentPhase(int LocalTurnVectors, int OffloadedTurnVectors, long ActivationHeapBytes, long ShardHeapBytes, double FirstSearchMs, double P50Ms, double P99Ms, double DenseRecallAt10);
