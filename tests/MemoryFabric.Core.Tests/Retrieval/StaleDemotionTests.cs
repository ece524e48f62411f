using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.Retrieval;

public sealed class StaleDemotionTests
{
    private sealed class Candidate(string id, double score) : IScoredCandidate
    {
        public string Id { get; } = id;

        public double Score { get; set; } = score;
    }

    [Fact]
    public void Successors_are_lifted_to_the_stale_score_and_the_stale_item_is_capped_below_them()
    {
        var paris = new Candidate("paris-turn", 0.05);
        var berlinNote = new Candidate("berlin-note", 0.01);
        var berlinTurn = new Candidate("berlin-turn", 0.08);
        IReadOnlyList<Candidate> successors = [berlinNote, berlinTurn];

        StaleDemotion.Lift([(paris, successors)]);
        Assert.Equal(0.05, berlinNote.Score); // lifted
        Assert.Equal(0.08, berlinTurn.Score); // already above

        berlinNote.Score *= 0.5; // a prior lowers it again (e.g. note strength)
        StaleDemotion.Demote([(paris, successors)], factor: 0.9);

        Assert.True(paris.Score < berlinNote.Score);
        Assert.True(paris.Score < berlinTurn.Score);
        Assert.Equal(0.025 * StaleDemotion.Margin, paris.Score, 12);
    }

    [Fact]
    public void A_stale_item_without_successors_keeps_the_factor_of_its_score()
    {
        var expired = new Candidate("visa", 0.04);

        StaleDemotion.Demote([(expired, (IReadOnlyList<Candidate>)[])], factor: 0.5);

        Assert.Equal(0.02, expired.Score, 12);
    }
}
