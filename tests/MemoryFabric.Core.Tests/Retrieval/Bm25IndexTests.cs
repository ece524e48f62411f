using MemoryFabric.Retrieval;
using MemoryFabric.Text;

namespace MemoryFabric.Core.Tests.Retrieval;

public sealed class Bm25IndexTests
{
    private static Bm25Index<string> Index(params (string Key, string Text)[] docs)
    {
        var index = new Bm25Index<string>();
        foreach (var (key, text) in docs)
        {
            index.Upsert(key, TextAnalyzer.Terms(text));
        }

        return index;
    }

    private static List<string> Keys(Bm25Index<string> index, string query, int limit = 10) =>
        index.Search(TextAnalyzer.Terms(query), limit).Select(r => r.Key).ToList();

    [Fact]
    public void The_document_with_the_rare_matching_term_ranks_first()
    {
        var index = Index(
            ("t1", "Melanie talked about her day at work with Caroline."),
            ("t2", "Caroline talked about her day and the weather."),
            ("t3", "Melanie adopted a beagle from the shelter on her day off."),
            ("t4", "Melanie and Caroline talked about the day."));

        var results = index.Search(TextAnalyzer.Terms("Which day did Melanie adopt the beagle?"), 10);

        Assert.Equal("t3", results[0].Key);
        Assert.True(results[0].Score > results[1].Score);
    }

    [Fact]
    public void Only_documents_sharing_a_term_are_returned()
    {
        var index = Index(("a", "pottery class"), ("b", "camping trip"), ("c", "pottery and camping"));

        Assert.Equal(["a", "c"], Keys(index, "pottery").Order(StringComparer.Ordinal));
        Assert.Empty(Keys(index, "violin"));
    }

    [Fact]
    public void Limit_and_filter_are_honoured()
    {
        var index = Index(("a", "dog"), ("b", "dog dog"), ("c", "dog park"), ("d", "dog walk"));

        Assert.Equal(2, index.Search(["dog"], 2).Count);
        Assert.DoesNotContain("b", index.Search(["dog"], 10, key => key != "b").Select(r => r.Key));
        Assert.Empty(index.Search(["dog"], 0));
    }

    [Fact]
    public void Removing_a_document_removes_it_from_results()
    {
        var index = Index(("a", "the red kite flew"), ("b", "a red balloon"), ("c", "blue sky"));

        Assert.True(index.Remove("a"));
        Assert.False(index.Remove("a"));

        Assert.Equal(["b"], Keys(index, "red kite"));
        Assert.False(index.Contains("a"));
        Assert.Equal(2, index.Count);
    }

    [Fact]
    public void Upsert_replaces_the_document()
    {
        var index = Index(("a", "pottery workshop"), ("b", "camping trip"));

        index.Upsert("a", TextAnalyzer.Terms("violin lesson"));

        Assert.Empty(Keys(index, "pottery"));
        Assert.Equal(["a"], Keys(index, "violin"));
        Assert.Equal(2, index.Count);
    }

    [Fact]
    public void Ties_are_broken_by_insertion_order()
    {
        var index = Index(("z", "kite"), ("m", "kite"), ("a", "kite"));

        Assert.Equal(["z", "m", "a"], Keys(index, "kite"));
        Assert.Equal(["z", "m", "a"], Keys(index, "kite"));
    }

    [Fact]
    public void Compaction_after_many_removals_keeps_results_identical_to_a_fresh_index()
    {
        var random = new Random(42);
        string[] vocabulary = ["dog", "cat", "kite", "pottery", "camping", "paris", "bank", "job", "garden", "paint", "run", "book"];
        var docs = Enumerable.Range(0, 300)
            .Select(i => ("d" + i, Enumerable.Range(0, 2 + random.Next(6)).Select(_ => vocabulary[random.Next(vocabulary.Length)]).ToList()))
            .ToList();

        var index = new Bm25Index<string>();
        foreach (var (key, terms) in docs)
        {
            index.Upsert(key, terms);
        }

        // Remove about three quarters, which crosses the compaction threshold several times.
        var removed = docs.Where((_, i) => i % 4 != 0).Select(d => d.Item1).ToList();
        foreach (var key in removed)
        {
            Assert.True(index.Remove(key));
        }

        var fresh = new Bm25Index<string>();
        foreach (var (key, terms) in docs.Where((_, i) => i % 4 == 0))
        {
            fresh.Upsert(key, terms);
        }

        Assert.Equal(75, index.Count);
        foreach (var query in new[] { new[] { "dog" }, ["paris", "bank"], ["garden", "paint", "book"], vocabulary })
        {
            var actual = index.Search(query, 500);
            var expected = fresh.Search(query, 500);
            Assert.Equal(expected.Select(r => r.Key), actual.Select(r => r.Key));
            Assert.Equal(expected.Select(r => Math.Round(r.Score, 9)), actual.Select(r => Math.Round(r.Score, 9)));
            Assert.DoesNotContain(actual, r => removed.Contains(r.Key));
        }

        // The index stays usable after compaction.
        index.Upsert("new", ["zebra"]);
        Assert.Equal("new", Assert.Single(index.Search(["zebra"], 5)).Key);
    }

    [Fact]
    public void Empty_index_returns_nothing()
    {
        Assert.Empty(new Bm25Index<string>().Search(["dog"], 10));
    }
}
