using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.Retrieval;

public sealed class PendingDenseScoringTests
{
    [Fact]
    public void The_newest_pending_come_first_then_the_lexical_hits_by_rank_each_once_up_to_the_limit()
    {
        var pending = new HashSet<string> { "n9", "n8", "t1", "t3", "e2", "n1" };
        string[] newestFirst = ["n9", "n8", "t3", "t1"];
        IReadOnlyList<IReadOnlyList<string>> lexical = [["n1", "n2", "n8"], ["t0", "t1", "t3"], ["e2"]];

        var all = PendingDenseScoring.Select(newestFirst, lexical, pending.Contains, 10);
        var four = PendingDenseScoring.Select(newestFirst, lexical, pending.Contains, 4);

        Assert.Equal(["n9", "n8", "n1", "e2", "t1", "t3"], all);
        Assert.Equal(["n9", "n8", "n1", "e2"], four);
        Assert.Empty(PendingDenseScoring.Select(newestFirst, lexical, pending.Contains, 0));
        Assert.Equal(["n9"], PendingDenseScoring.Select(newestFirst, lexical, pending.Contains, 1));
    }

    [Fact]
    public void A_pending_item_found_lexically_is_credited_the_dense_share_of_its_lexical_rank()
    {
        // Kind weight 0.9, lexical weight 1, dense weight 1.2, rank 1 with k = 60.
        var lexicalShare = 0.9 * 1.0 / 61;

        Assert.Equal(0.9 * 1.2 / 61, PendingDenseScoring.ImputedDenseShare(1.0, 1.2, lexicalShare), 12);
        Assert.Equal(0, PendingDenseScoring.ImputedDenseShare(0, 1.2, lexicalShare));
    }
}
