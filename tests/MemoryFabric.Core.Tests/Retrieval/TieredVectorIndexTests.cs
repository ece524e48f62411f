using System.Numerics.Tensors;
using MemoryFabric.Retrieval;
using MemoryFabric.Core.Tests.Support;

namespace MemoryFabric.Core.Tests.Retrieval;

public sealed class TieredVectorIndexTests
{
    [Fact]
    public void Search_is_exact_below_the_threshold_and_turns_approximate_at_it()
    {
        var index = new TieredVectorIndex(threshold: 50, efSearch: 64);
        var vectors = Clustered(49, seed: 1);
        for (var i = 0; i < vectors.Length; i++)
        {
            index.Upsert($"v{i}", vectors[i]);
        }

        Assert.False(index.IsApproximate);
        index.Upsert("v49", Clustered(1, seed: 2)[0]);
        Assert.True(index.IsApproximate);
        Assert.Equal(50, index.Count);
    }

    [Fact]
    public void Approximate_search_finds_what_exact_search_finds()
    {
        var vectors = Clustered(2000, seed: 3);
        var exact = new ExactVectorIndex<string>();
        var tiered = new TieredVectorIndex(threshold: 100, efSearch: 64);
        for (var i = 0; i < vectors.Length; i++)
        {
            exact.Upsert($"v{i}", vectors[i]);
            tiered.Upsert($"v{i}", vectors[i]);
        }

        Assert.True(tiered.IsApproximate);
        var queries = Clustered(50, seed: 4);
        double found = 0;
        foreach (var query in queries)
        {
            var truth = exact.Search(query, 10).Select(h => h.Key).ToHashSet();
            var approximate = tiered.Search(query, 10);
            Assert.Equal(10, approximate.Count);
            Assert.True(approximate.Zip(approximate.Skip(1)).All(p => p.First.Score >= p.Second.Score));
            found += approximate.Count(h => truth.Contains(h.Key));
        }

        Assert.True(found / (queries.Length * 10) >= 0.9, $"recall@10 {found / (queries.Length * 10):F3}");
    }

    [Fact]
    public void Removed_and_replaced_vectors_are_honoured_after_the_switch()
    {
        var vectors = Clustered(300, seed: 5);
        var index = new TieredVectorIndex(threshold: 100, efSearch: 64);
        for (var i = 0; i < vectors.Length; i++)
        {
            index.Upsert($"v{i}", vectors[i]);
        }

        Assert.True(index.Remove("v7"));
        Assert.False(index.Remove("v7"));
        Assert.DoesNotContain(index.Search(vectors[7], 5), h => h.Key == "v7");

        index.Upsert("v8", vectors[9]); // v8 now points where v9 does
        var top = index.Search(vectors[9], 2).Select(h => h.Key).ToHashSet();
        Assert.Equal(new HashSet<string> { "v8", "v9" }, top);
        Assert.Equal(299, index.Count);
    }

    [Fact]
    public async Task An_agent_memory_past_the_threshold_gives_the_same_context_as_exact_search()
    {
        var turns = Talk.Generated(sessions: 6, turnsPerSession: 40);
        var exact = new AgentMemory();
        var approximate = new AgentMemory(new AgentMemoryOptions { Retrieval = new RetrievalOptions { ApproximateSearchThreshold = 20 } });
        foreach (var memory in new[] { exact, approximate })
        {
            await memory.IngestAsync(turns);
            await memory.ConsolidateAsync();
        }

        foreach (var query in new[] { "What did Caroline say about pottery?", "When was the trip to Paris?", "Who went camping?" })
        {
            var expected = await exact.GetContextAsync(new ContextRequest { Query = query, TokenBudget = 400 });
            var actual = await approximate.GetContextAsync(new ContextRequest { Query = query, TokenBudget = 400 });
            Assert.Equal(expected.Items.Select(i => i.Text), actual.Items.Select(i => i.Text));
        }
    }

    private static float[][] Clustered(int count, int seed)
    {
        const int dimensions = 32;
        var random = new Random(seed);
        var centres = Enumerable.Range(0, 8).Select(c => Normalize(Gaussian(new Random(100 + c), dimensions, 1))).ToArray();
        return Enumerable.Range(0, count).Select(_ =>
        {
            var v = Gaussian(random, dimensions, 0.3f);
            TensorPrimitives.Add(v, centres[random.Next(centres.Length)], v);
            return Normalize(v);
        }).ToArray();
    }

    private static float[] Gaussian(Random random, int dimensions, float scale) =>
        Enumerable.Range(0, dimensions).Select(_ => scale * (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))).ToArray();

    private static float[] Normalize(float[] v)
    {
        var norm = TensorPrimitives.Norm(v);
        TensorPrimitives.Divide(v, norm, v);
        return v;
    }
}
