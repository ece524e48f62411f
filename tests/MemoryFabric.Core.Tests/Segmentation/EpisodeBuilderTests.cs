using MemoryFabric.Conversation;
using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Segmentation;
using MemoryFabric.Text;

namespace MemoryFabric.Core.Tests.Segmentation;

public sealed class EpisodeBuilderTests
{
    private static List<Episode> Build(List<Turn> session)
    {
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var turn in session)
        {
            foreach (var term in TextAnalyzer.Terms(turn.Text).Distinct())
            {
                df[term] = df.GetValueOrDefault(term) + 1;
            }
        }

        return new EpisodeSegmenter().Segment(session).Select(s => EpisodeBuilder.Build(s, df, session.Count)).ToList();
    }

    [Fact]
    public void Episode_fields_describe_the_segment()
    {
        var session = EpisodeSegmenterTests.DogThenBank();

        var episodes = Build(session);

        Assert.Equal(2, episodes.Count);
        var bank = episodes[1];
        Assert.Equal(["t5", "t6", "t7", "t8"], bank.TurnIds);
        Assert.Equal("s1", bank.SessionId);
        Assert.Equal(session[4].Timestamp, bank.Start);
        Assert.Equal(session[7].Timestamp, bank.End);
        Assert.Equal(["Caroline", "Melanie"], bank.Participants);
        Assert.NotEmpty(bank.Keywords);
        Assert.Contains("bank", bank.Keywords);
        Assert.DoesNotContain("dog", bank.Keywords);
        Assert.Contains("Paris", bank.Entities);
        Assert.DoesNotContain("Caroline", bank.Entities);
        Assert.Contains(bank.BoundaryReason, new[] { "topic-shift", "surprise" });
        Assert.Equal("session-start", episodes[0].BoundaryReason);
    }

    [Fact]
    public void Summary_is_short_attributed_and_quotes_only_its_own_turns()
    {
        foreach (var episode in Build(EpisodeSegmenterTests.DogThenBank()))
        {
            Assert.False(string.IsNullOrWhiteSpace(episode.Summary));
            Assert.True(episode.Summary.Length <= EpisodeBuilder.MaxSummaryLength);
            Assert.NotEmpty(episode.SummaryTurnIds);
            Assert.All(episode.SummaryTurnIds, id => Assert.Contains(id, episode.TurnIds));
            Assert.Matches("^(Caroline|Melanie): ", episode.Summary);
        }
    }

    [Fact]
    public void Long_turns_are_summarized_within_the_limit()
    {
        var sentence = "The pottery workshop downtown teaches wheel throwing, glazing, kiln firing and hand building to beginners.";
        var turns = new List<Turn>
        {
            Talk.Turn("a", "Melanie", string.Join(' ', Enumerable.Repeat(sentence, 6)), Talk.May8),
            Talk.Turn("b", "Caroline", "Pottery glazing and kiln firing sound like a wonderful workshop for beginners downtown.", Talk.May8.AddMinutes(1)),
        };

        var episode = Talk.Episode(turns);

        Assert.True(episode.Summary.Length <= EpisodeBuilder.MaxSummaryLength, episode.Summary);
        Assert.All(episode.SummaryTurnIds, id => Assert.Contains(id, episode.TurnIds));
    }

    [Fact]
    public void Questions_are_not_summarized_when_statements_exist()
    {
        var turns = new List<Turn>
        {
            Talk.Turn("q", "Caroline", "What breed is the puppy you adopted from the shelter?", Talk.May8),
            Talk.Turn("a", "Melanie", "The puppy from the shelter is a beagle named Oscar.", Talk.May8.AddMinutes(1)),
        };

        var episode = Talk.Episode(turns);

        Assert.DoesNotContain("?", episode.Summary, StringComparison.Ordinal);
        Assert.Equal(["a"], episode.SummaryTurnIds);
    }

    [Fact]
    public void Small_talk_only_episode_falls_back_to_its_first_turn()
    {
        var turns = new List<Turn>
        {
            Talk.Turn("x", "Caroline", "Hi!", Talk.May8),
            Talk.Turn("y", "Melanie", "Hey, how are you?", Talk.May8.AddMinutes(1)),
        };

        var episode = Talk.Episode(turns);

        Assert.Equal("Caroline: Hi!", episode.Summary);
        Assert.Equal(["x"], episode.SummaryTurnIds);
    }

    [Fact]
    public void Episode_id_is_stable_for_the_same_first_turn()
    {
        var session = EpisodeSegmenterTests.SingleTopic();

        Assert.Equal(Talk.Episode(session[..3]).Id, Talk.Episode(session).Id);
        Assert.NotEqual(Talk.Episode(session[1..]).Id, Talk.Episode(session).Id);
    }
}
