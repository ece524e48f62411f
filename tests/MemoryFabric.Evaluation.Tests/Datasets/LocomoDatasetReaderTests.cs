using MemoryFabric.Evaluation.Datasets;

namespace MemoryFabric.Evaluation.Tests.Datasets;

public class LocomoDatasetReaderTests
{
    private const string Sample = """
        [
          {
            "sample_id": "conv-1",
            "conversation": {
              "speaker_a": "Caroline",
              "speaker_b": "Melanie",
              "session_1_date_time": "1:56 pm on 8 May, 2023",
              "session_1": [
                { "speaker": "Caroline", "dia_id": "D1:1", "text": "Hey Mel!" },
                { "speaker": "Melanie", "dia_id": "D1:2", "text": "Look at this.", "img_url": ["x"], "blip_caption": "a photo of a lake at sunrise" }
              ],
              "session_2_date_time": "10:37 am on 27 June, 2023",
              "session_2": [
                { "speaker": "Caroline", "dia_id": "D2:1", "text": "I went to a pride parade." }
              ],
              "session_3_date_time": "8:18 pm on 6 July, 2023"
            },
            "qa": [
              { "question": "When did Melanie paint a sunrise?", "answer": 2022, "evidence": ["D1:2"], "category": 2 },
              { "question": "What did Caroline attend?", "answer": "a pride parade", "evidence": ["D2:1", "D:1:1"], "category": 4 },
              { "question": "Did Melanie adopt a dog?", "adversarial_answer": "Yes, a beagle", "evidence": [], "category": 5 }
            ],
            "event_summary": {},
            "session_summary": {}
          }
        ]
        """;

    [Fact]
    public void Reads_sessions_turns_and_dates()
    {
        var dataset = DatasetReader.Parse(Sample, "/data/locomo-mini.json");

        Assert.Equal("locomo-mini", dataset.Name);
        Assert.Equal(DatasetFormat.Locomo, dataset.Format);
        var conversation = Assert.Single(dataset.Conversations);
        Assert.Equal("conv-1", conversation.Id);
        Assert.Equal(["session_1", "session_2"], conversation.Sessions.Select(s => s.Id));
        Assert.Equal(new DateTimeOffset(2023, 5, 8, 13, 56, 0, TimeSpan.Zero), conversation.Sessions[0].Date);
        Assert.Equal(new DateTimeOffset(2023, 6, 27, 10, 37, 0, TimeSpan.Zero), conversation.Sessions[1].Date);
        Assert.Equal(3, dataset.TurnCount);
        Assert.Equal(new DatasetTurn("D1:1", "Caroline", "Hey Mel!"), conversation.Sessions[0].Turns[0]);
    }

    [Fact]
    public void Skips_a_date_without_a_session_list()
    {
        var conversation = DatasetReader.Parse(Sample, "x.json").Conversations[0];

        Assert.DoesNotContain(conversation.Sessions, s => s.Id == "session_3");
    }

    [Fact]
    public void Appends_the_image_caption()
    {
        var turn = DatasetReader.Parse(Sample, "x.json").Conversations[0].Sessions[0].Turns[1];

        Assert.Equal("Look at this. [image: a photo of a lake at sunrise]", turn.Text);
    }

    [Fact]
    public void Reads_questions_with_numeric_and_adversarial_answers()
    {
        var questions = DatasetReader.Parse(Sample, "x.json").Conversations[0].Questions;

        Assert.Equal(["conv-1_qa0", "conv-1_qa1", "conv-1_qa2"], questions.Select(q => q.Id));
        Assert.Equal(["2022"], questions[0].Answers);
        Assert.Equal("2", questions[0].Category);
        Assert.Null(questions[0].Date);
        Assert.Equal(["D2:1", "D:1:1"], questions[1].Evidence);
        Assert.Equal(["Yes, a beagle"], questions[2].Answers);
        Assert.Equal("5", questions[2].Category);
        Assert.Empty(questions[2].Evidence);
        Assert.All(questions, q => Assert.Empty(q.EvidenceText));
    }

    [Fact]
    public void Default_query_time_is_after_the_last_session()
    {
        var conversation = DatasetReader.Parse(Sample, "x.json").Conversations[0];

        Assert.True(conversation.DefaultQueryTime > new DateTimeOffset(2023, 6, 27, 10, 37, 0, TimeSpan.Zero));
        Assert.True(conversation.DefaultQueryTime < new DateTimeOffset(2023, 6, 28, 0, 0, 0, TimeSpan.Zero));
    }

    [Theory]
    [InlineData("1:56 pm on 8 May, 2023", 2023, 5, 8, 13, 56)]
    [InlineData("12:09 am on 13 September, 2023", 2023, 9, 13, 0, 9)]
    [InlineData("12:30 pm on 1 January, 2024", 2024, 1, 1, 12, 30)]
    [InlineData("  11:01 AM on 17 December,   2022 ", 2022, 12, 17, 11, 1)]
    public void Parses_locomo_dates(string text, int year, int month, int day, int hour, int minute)
    {
        Assert.True(LocomoDatasetReader.TryParseSessionDate(text, out var date));
        Assert.Equal(new DateTimeOffset(year, month, day, hour, minute, 0, TimeSpan.Zero), date);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("")]
    [InlineData("25:00 pm on 8 May, 2023")]
    public void Rejects_unreadable_dates(string text)
    {
        Assert.False(LocomoDatasetReader.TryParseSessionDate(text, out _));
    }

    [Fact]
    public void A_session_without_a_readable_date_is_an_error_naming_the_file()
    {
        const string json = """[{"sample_id": "c", "conversation": {"session_1_date_time": "someday", "session_1": [{"speaker": "A", "dia_id": "D1:1", "text": "hi"}]}, "qa": []}]""";

        var e = Assert.Throws<DatasetFormatException>(() => DatasetReader.Parse(json, "bad.json"));

        Assert.Contains("bad.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("someday", e.Message, StringComparison.Ordinal);
    }
}
