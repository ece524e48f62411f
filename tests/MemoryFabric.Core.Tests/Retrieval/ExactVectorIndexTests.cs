using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.Retrieval;

public sealed class ExactVectorIndexTests
{
    private static float[] Unit(params float[] v)
    {
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }

    private static ExactVectorIndex<string> Index()
    {
        var index = new ExactVectorIndex<string>();
        index.Upsert("east", Unit(1, 0, 0));
        index.Upsert("north", Unit(0, 1, 0));
        index.Upsert("up", Unit(0, 0, 1));
        index.Upsert("north-east", Unit(1, 1, 0));
        return index;
    }

    [Fact]
    public void Nearest_by_cosine_first_with_cosine_scores()
    {
        var results = Index().Search(Unit(1, 0.2f, 0), 4);

        Assert.Equal(["east", "north-east", "north", "up"], results.Select(r => r.Key));
        Assert.Equal(Unit(1, 0.2f, 0)[0], results[0].Score, 5);
        Assert.Equal(0, results[3].Score, 5);
    }

    [Fact]
    public void Limit_and_filter_are_honoured()
    {
        var index = Index();

        Assert.Equal(["east", "north-east"], index.Search(Unit(1, 0.2f, 0), 2).Select(r => r.Key));
        Assert.Equal("north-east", index.Search(Unit(1, 0.2f, 0), 1, k => k != "east")[0].Key);
        Assert.Empty(index.Search(Unit(1, 0, 0), 0));
    }

    [Fact]
    public void Removing_a_middle_vector_keeps_the_others_matched_to_their_keys()
    {
        var index = Index();

        Assert.True(index.Remove("north"));
        Assert.False(index.Remove("north"));
        Assert.Equal(3, index.Count);

        // "north-east" was swapped into the freed slot: it must still carry its own vector.
        Assert.Equal("north-east", index.Search(Unit(1, 1, 0), 1)[0].Key);
        Assert.Equal("up", index.Search(Unit(0, 0, 1), 1)[0].Key);
        Assert.Equal("east", index.Search(Unit(1, 0, 0), 1)[0].Key);
        Assert.DoesNotContain("north", index.Search(Unit(0, 1, 0), 10).Select(r => r.Key));

        // And it can still be replaced and removed under its key.
        index.Upsert("north-east", Unit(0, 1, 0));
        Assert.Equal("north-east", index.Search(Unit(0, 1, 0), 1)[0].Key);
        Assert.True(index.Remove("north-east"));
        Assert.Equal(["east", "up"], index.Search(Unit(1, 0, 1), 10).Select(r => r.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Upsert_replaces_a_vector()
    {
        var index = Index();

        index.Upsert("east", Unit(0, 0, 1));

        Assert.Equal(4, index.Count);
        Assert.Equal(["east", "up"], index.Search(Unit(0, 0, 1), 4).Where(r => r.Score > 0.99f).Select(r => r.Key).Order(StringComparer.Ordinal));
        Assert.Equal("north-east", index.Search(Unit(1, 0, 0), 1)[0].Key);
    }

    [Fact]
    public void Dimension_mismatch_throws()
    {
        var index = Index();

        var error = Assert.Throws<InvalidOperationException>(() => index.Search(Unit(1, 0), 3));
        Assert.Contains("dimensions", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_index_returns_nothing()
    {
        Assert.Empty(new ExactVectorIndex<string>().Search(Unit(1, 0), 5));
    }
}
