using MemoryFabric.Conversation;
using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Segmentation;

namespace MemoryFabric.Core.Tests.Segmentation;

public sealed class EpisodeSegmenterTests
{
    internal static List<Turn> DogThenBank()
    {
        string[][] lines =
        [
            ["Melanie", "We adopted a puppy last week, a golden retriever dog named Max."],
            ["Caroline", "A puppy! How is the dog settling in with the kids?"],
            ["Melanie", "The dog loves the kids, and Max sleeps in a basket by the puppy toys."],
            ["Caroline", "Puppy training takes patience; walk the dog twice a day."],
            ["Caroline", "By the way, I start a new job at a bank in Paris next month."],
            ["Melanie", "A bank job in Paris! Will you work in finance or investment?"],
            ["Caroline", "Investment banking: the bank office is near the Seine in Paris."],
            ["Melanie", "Moving to Paris for a finance career at a bank is exciting."],
        ];
        return lines.Select((l, i) => Talk.Turn("t" + (i + 1), l[0], l[1], Talk.May8.AddMinutes(i), i + 1)).ToList();
    }

    internal static List<Turn> SingleTopic()
    {
        string[][] lines =
        [
            ["Melanie", "We adopted a puppy from the shelter, a little beagle dog."],
            ["Caroline", "A beagle puppy! Is the dog friendly with the kids?"],
            ["Melanie", "The puppy is very friendly; the kids walk the dog every morning."],
            ["Caroline", "Walking a puppy every morning is great exercise for the kids."],
            ["Melanie", "The beagle puppy sleeps with the kids after the morning dog walk."],
        ];
        return lines.Select((l, i) => Talk.Turn("p" + (i + 1), l[0], l[1], Talk.May8.AddMinutes(i), i + 1)).ToList();
    }

    private static List<string> Ids(EpisodeSegment s) => s.Turns.Select(t => t.Id).ToList();

    [Fact]
    public void A_change_of_topic_cuts_between_the_two_topics()
    {
        var segments = new EpisodeSegmenter().Segment(DogThenBank());

        Assert.Equal(2, segments.Count);
        Assert.Equal(["t1", "t2", "t3", "t4"], Ids(segments[0]));
        Assert.Equal(["t5", "t6", "t7", "t8"], Ids(segments[1]));
        Assert.Equal("session-start", segments[0].Reason);
        Assert.Contains(segments[1].Reason, new[] { "topic-shift", "surprise" });
    }

    [Fact]
    public void A_single_topic_session_is_one_episode()
    {
        var segment = Assert.Single(new EpisodeSegmenter().Segment(SingleTopic()));

        Assert.Equal(5, segment.Turns.Count);
        Assert.Equal("session-start", segment.Reason);
    }

    [Fact]
    public void A_two_hour_pause_cuts_with_time_gap()
    {
        var turns = SingleTopic().Select((t, i) => i >= 3 ? t with { Timestamp = t.Timestamp.AddHours(2) } : t).ToList();

        var segments = new EpisodeSegmenter().Segment(turns);

        Assert.Equal(2, segments.Count);
        Assert.Equal(["p1", "p2", "p3"], Ids(segments[0]));
        Assert.Equal(["p4", "p5"], Ids(segments[1]));
        Assert.Equal("time-gap", segments[1].Reason);
    }

    [Fact]
    public void A_pause_shorter_than_the_limit_does_not_cut()
    {
        var turns = SingleTopic().Select((t, i) => i >= 3 ? t with { Timestamp = t.Timestamp.AddMinutes(20) } : t).ToList();

        Assert.Single(new EpisodeSegmenter().Segment(turns));
    }

    [Fact]
    public void MaxTurns_forces_max_length_cuts()
    {
        var topic = SingleTopic();
        var turns = Enumerable.Range(0, 10).Select(i => topic[i % 5] with { Id = "m" + i, Timestamp = Talk.May8.AddMinutes(i), Sequence = i }).ToList();

        var segments = new EpisodeSegmenter(new EpisodeSegmenterOptions { MaxTurns = 4 }).Segment(turns);

        Assert.Equal([4, 4, 2], segments.Select(s => s.Turns.Count));
        Assert.Equal(["session-start", "max-length", "max-length"], segments.Select(s => s.Reason));
        Assert.Equal(turns.Select(t => t.Id), segments.SelectMany(Ids));
    }

    [Fact]
    public void Segments_partition_the_turns_in_order()
    {
        var turns = DogThenBank().Concat(SingleTopic().Select(t => t with { Timestamp = t.Timestamp.AddHours(3) })).ToList();

        var segments = new EpisodeSegmenter().Segment(turns);

        Assert.Equal(turns.Select(t => t.Id), segments.SelectMany(Ids));
        Assert.All(segments, s => Assert.NotEmpty(s.Turns));
        Assert.Equal("time-gap", segments.Single(s => s.Turns[0].Id == "p1").Reason);
    }

    [Fact]
    public void No_turns_no_segments()
    {
        Assert.Empty(new EpisodeSegmenter().Segment([]));
    }
}
