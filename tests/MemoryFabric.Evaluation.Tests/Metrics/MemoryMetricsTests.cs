using MemoryFabric.Evaluation.Metrics;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Evaluation.Tests.Metrics;

public class MemoryMetricsTests
{
    private static readonly DateTimeOffset T = new(2023, 5, 8, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Covered_turns_are_the_union_of_the_items_turn_ids()
    {
        ContextItem[] items =
        [
            new(MemoryItemKind.Turn, "D1:3", "x", T, ["D1:3"], 1),
            new(MemoryItemKind.Note, "n1", "y", T, ["D1:4", "D2:1"], 1),
            new(MemoryItemKind.Episode, "e1", "z", T, ["D2:1"], 1),
        ];

        Assert.Equal(new HashSet<string> { "D1:3", "D1:4", "D2:1" }, MemoryMetrics.CoveredTurnIds(items));
    }

    [Fact]
    public void Evidence_recall_is_the_covered_share_of_the_gold_turns()
    {
        var covered = new HashSet<string> { "D1:3", "D2:1", "D9:9" };

        Assert.Equal(1.0, MemoryMetrics.EvidenceRecall(["D1:3"], covered));
        Assert.Equal(0.5, MemoryMetrics.EvidenceRecall(["D1:3", "D1:4"], covered));
        Assert.Equal(0.0, MemoryMetrics.EvidenceRecall(["D5:5"], covered));
        Assert.Equal(0.5, MemoryMetrics.EvidenceRecall(["D1:3", "D1:3", "D7:1"], covered));
    }

    [Fact]
    public void Evidence_recall_is_null_without_gold_evidence()
    {
        Assert.Null(MemoryMetrics.EvidenceRecall(EvidenceIds.Parse(["D"]), new HashSet<string> { "D1:1" }));
        Assert.Null(MemoryMetrics.EvidenceRecall([], new HashSet<string>()));
    }

    [Fact]
    public void Answer_coverage_counts_content_words_ignoring_case_punctuation_and_stopwords()
    {
        var words = MemoryMetrics.ContextWords("[8 May 2023] Caroline: I went to the LGBTQ support group, on 7 May!");

        Assert.Equal(1.0, MemoryMetrics.AnswerCoverage(["7 May 2023"], words));
        Assert.Equal(1.0, MemoryMetrics.AnswerCoverage(["The LGBTQ Support-Group."], words));
        Assert.Equal(0.5, MemoryMetrics.AnswerCoverage(["support network"], words));
        Assert.Equal(0.0, MemoryMetrics.AnswerCoverage(["pottery"], words));
    }

    [Fact]
    public void Answer_coverage_takes_the_best_of_several_answers()
    {
        var words = MemoryMetrics.ContextWords("Melanie: I love pottery and painting.");

        Assert.Equal(1.0, MemoryMetrics.AnswerCoverage(["clay sculpture", "pottery"], words));
        Assert.Equal(0.5, MemoryMetrics.AnswerCoverage(["clay pottery", "swimming"], words));
    }

    [Fact]
    public void Answer_coverage_ignores_answers_without_content_words()
    {
        var words = MemoryMetrics.ContextWords("Melanie: I love pottery.");

        Assert.Null(MemoryMetrics.AnswerCoverage(["No", "it is not"], words));
        Assert.Null(MemoryMetrics.AnswerCoverage([], words));
        Assert.Equal(1.0, MemoryMetrics.AnswerCoverage(["the", "pottery"], words));
    }

    [Fact]
    public void Number_answers_match_number_words()
    {
        var words = MemoryMetrics.ContextWords("[8 May 2023] Melanie: I painted that lake sunrise in 2022, my 3 kids loved it.");

        Assert.Equal(1.0, MemoryMetrics.AnswerCoverage(["2022"], words));
        Assert.Equal(1.0, MemoryMetrics.AnswerCoverage(["3"], words));
        Assert.Equal(0.0, MemoryMetrics.AnswerCoverage(["2021"], words));
    }

    [Fact]
    public void Repeated_answer_words_count_once()
    {
        var words = MemoryMetrics.ContextWords("dogs");

        Assert.Equal(0.5, MemoryMetrics.AnswerCoverage(["dogs dogs cats"], words));
    }

    [Fact]
    public void Evidence_text_coverage_is_the_mean_over_statements()
    {
        var words = MemoryMetrics.ContextWords("Tom ran a half marathon in Porto.");

        Assert.Equal(0.75, MemoryMetrics.EvidenceTextCoverage(["Tom ran a marathon.", "Porto, not Lisbon."], words));
        Assert.Null(MemoryMetrics.EvidenceTextCoverage([], words));
        Assert.Null(MemoryMetrics.EvidenceTextCoverage(["it was the"], words));
    }

    [Fact]
    public void Tokens_are_ceil_of_characters_over_four()
    {
        Assert.Equal(0, MemoryMetrics.Tokens(""));
        Assert.Equal(1, MemoryMetrics.Tokens("abcd"));
        Assert.Equal(2, MemoryMetrics.Tokens("abcde"));
    }
}
