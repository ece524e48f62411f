using MemoryFabric.Evaluation.Datasets;
using MemoryFabric.Evaluation.Tests.Support;

namespace MemoryFabric.Evaluation.Tests.Datasets;

public class GenericDatasetReaderTests
{
    private const string Sample = """
        {
          "name": "my-dataset",
          "conversations": [
            {
              "id": "c1",
              "sessions": [
                {
                  "id": "s1",
                  "date": "2023-05-08T13:56:00Z",
                  "turns": [
                    { "id": "s1:1", "speaker": "Caroline", "text": "Hi!" },
                    { "id": "s1:2", "speaker": "Melanie", "text": "I went to the LGBTQ support group yesterday." }
                  ]
                }
              ],
              "questions": [
                {
                  "id": "q1",
                  "question": "When did Melanie go to the support group?",
                  "date": "2023-06-01T00:00:00Z",
                  "answers": ["7 May 2023", "May 7, 2023"],
                  "evidence": ["s1:2"],
                  "evidence_text": ["Melanie went to an LGBTQ support group on 7 May 2023."],
                  "category": "temporal"
                },
                { "question": "Who said hi?", "answer": "Caroline" }
              ]
            }
          ]
        }
        """;

    [Fact]
    public void Reads_the_generic_format()
    {
        var dataset = DatasetReader.Parse(Sample, "whatever.json");

        Assert.Equal("my-dataset", dataset.Name);
        Assert.Equal(DatasetFormat.Generic, dataset.Format);
        var conversation = Assert.Single(dataset.Conversations);
        var session = Assert.Single(conversation.Sessions);
        Assert.Equal(new DateTimeOffset(2023, 5, 8, 13, 56, 0, TimeSpan.Zero), session.Date);
        Assert.Equal(["s1:1", "s1:2"], session.Turns.Select(t => t.Id));

        var q1 = conversation.Questions[0];
        Assert.Equal("q1", q1.Id);
        Assert.Equal(new DateTimeOffset(2023, 6, 1, 0, 0, 0, TimeSpan.Zero), q1.Date);
        Assert.Equal(["7 May 2023", "May 7, 2023"], q1.Answers);
        Assert.Equal(["s1:2"], q1.Evidence);
        Assert.Equal(["Melanie went to an LGBTQ support group on 7 May 2023."], q1.EvidenceText);
        Assert.Equal("temporal", q1.Category);
    }

    [Fact]
    public void A_turn_role_says_which_turns_are_the_assistants_and_survives_a_round_trip()
    {
        const string json = """
            {"conversations": [{"id": "c", "sessions": [{"id": "s", "date": "2023-01-01", "turns": [
              {"id": "t1", "speaker": "me", "text": "Give me a pierogi recipe."},
              {"id": "t2", "speaker": "helper", "text": "Mix flour and egg...", "role": "Assistant"},
              {"id": "t3", "speaker": "me", "text": "Thanks!", "role": "user"}]}]}]}
            """;

        var dataset = DatasetReader.Parse(json, "roles.json");
        var again = DatasetReader.Parse(GenericDatasetWriter.ToJson(dataset), "again.json");

        foreach (var read in new[] { dataset, again })
        {
            var turns = read.Conversations[0].Sessions[0].Turns;
            Assert.Equal([Conversation.TurnRole.User, Conversation.TurnRole.Assistant, Conversation.TurnRole.User], turns.Select(t => t.Role));
            Assert.Equal(Conversation.TurnRole.Assistant, DatasetConversation.ToTurnInput(read.Conversations[0].Sessions[0], 1).Role);
        }
    }

    [Fact]
    public void Is_lenient_with_optional_fields()
    {
        var q2 = DatasetReader.Parse(Sample, "whatever.json").Conversations[0].Questions[1];

        Assert.Equal("c1_q2", q2.Id);
        Assert.Null(q2.Date);
        Assert.Equal(["Caroline"], q2.Answers);
        Assert.Empty(q2.Evidence);
        Assert.Empty(q2.EvidenceText);
        Assert.Equal("uncategorized", q2.Category);
    }

    [Fact]
    public void Reads_the_demo_sample()
    {
        var dataset = DatasetReader.Read(RepositoryPaths.DemoConversation);

        Assert.Equal("demo-conversation", dataset.Name);
        var conversation = Assert.Single(dataset.Conversations);
        Assert.Equal(3, conversation.Sessions.Count);
        Assert.Equal(30, dataset.TurnCount);
        Assert.Equal(6, dataset.QuestionCount);
        Assert.Equal(3, conversation.Sessions.Select(s => s.Date.Date).Distinct().Count());
        var turnIds = conversation.Sessions.SelectMany(s => s.Turns).Select(t => t.Id).ToHashSet();
        Assert.All(conversation.Questions, q =>
        {
            Assert.NotEmpty(q.Answers);
            Assert.NotEmpty(q.EvidenceText);
            Assert.All(q.Evidence, id => Assert.Contains(id, turnIds));
        });
    }

    [Fact]
    public void A_missing_file_is_a_clear_error()
    {
        var path = Path.Combine(Path.GetTempPath(), "memfab-no-such-file.json");

        var e = Assert.Throws<DatasetFormatException>(() => DatasetReader.Read(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("not found", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_that_is_not_json_is_a_clear_error()
    {
        var e = Assert.Throws<DatasetFormatException>(() => DatasetReader.Parse("name: oops", "notes.txt"));

        Assert.StartsWith("notes.txt: not valid JSON", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name": "x"}""", "unknown dataset shape")]
    [InlineData("42", "unknown dataset shape")]
    [InlineData("""[{"sample_id": "a"}]""", "not a LoCoMo sample")]
    [InlineData("""{"conversations": [{"id": "c", "sessions": [{"id": "s", "turns": []}]}]}""", "missing \"date\"")]
    [InlineData("""{"conversations": [{"id": "c", "sessions": [{"id": "s", "date": "2023-01-01", "turns": [{"id": "t", "text": "hi"}]}]}]}""", "missing \"speaker\"")]
    [InlineData("""{"conversations": [{"id": "c", "sessions": [{"id": "s", "date": "2023-01-01", "turns": [{"id": "t", "speaker": "A", "text": "a"}, {"id": "t", "speaker": "B", "text": "b"}]}]}]}""", "used twice")]
    [InlineData("""{"conversations": [{"id": "c", "sessions": [{"id": "s", "date": "last week", "turns": []}]}]}""", "is not a date")]
    [InlineData("""{"conversations": {"id": "c"}}""", "expected a list")]
    [InlineData("""{"conversations": [{"id": "c", "sessions": [{"id": "s", "date": "2023-01-01", "turns": [{"id": "t", "speaker": "A", "text": "a", "role": "bot"}]}]}]}""", "\"role\" is \"bot\"; expected \"user\" or \"assistant\"")]
    public void Unknown_or_broken_shapes_are_clear_errors(string json, string expected)
    {
        var e = Assert.Throws<DatasetFormatException>(() => DatasetReader.Parse(json, "data.json"));

        Assert.StartsWith("data.json: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
