using System.Globalization;
using MemoryFabric.Evaluation.Datasets;
using MemoryFabric.Evaluation.Synthetic;
using MemoryFabric.Text;

namespace MemoryFabric.Evaluation.Tests.Synthetic;

public class SyntheticDatasetTests
{
    public static TheoryData<SyntheticStyle> Styles => new() { SyntheticStyle.Assistant, SyntheticStyle.Chat };

    private static ConversationDataset Generate(SyntheticStyle style, int seed = 7, int conversations = 2) =>
        SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions { Style = style, Seed = seed, Conversations = conversations });

    private static IEnumerable<(DatasetConversation Conversation, DatasetQuestion Question)> Questions(ConversationDataset dataset) =>
        dataset.Conversations.SelectMany(c => c.Questions.Select(q => (c, q)));

    private static Dictionary<string, (DatasetTurn Turn, DatasetSession Session)> TurnsById(DatasetConversation conversation) =>
        conversation.Sessions.SelectMany(s => s.Turns.Select(t => (t, s))).ToDictionary(x => x.t.Id, x => x, StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(Styles))]
    public void The_same_seed_gives_the_same_bytes_and_another_seed_another_dataset(SyntheticStyle style)
    {
        var first = GenericDatasetWriter.ToJson(Generate(style));
        var again = GenericDatasetWriter.ToJson(Generate(style));
        var other = GenericDatasetWriter.ToJson(Generate(style, seed: 8));

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void The_assistants_turns_are_marked_as_the_assistants_and_two_friends_are_both_users()
    {
        var assistantTurns = Generate(SyntheticStyle.Assistant).Conversations.SelectMany(c => c.Sessions).SelectMany(s => s.Turns).ToList();
        var chatTurns = Generate(SyntheticStyle.Chat).Conversations.SelectMany(c => c.Sessions).SelectMany(s => s.Turns).ToList();

        Assert.All(assistantTurns, t => Assert.Equal(t.Speaker == "assistant" ? Conversation.TurnRole.Assistant : Conversation.TurnRole.User, t.Role));
        Assert.Contains(assistantTurns, t => t.Role == Conversation.TurnRole.Assistant);
        Assert.All(chatTurns, t => Assert.Equal(Conversation.TurnRole.User, t.Role));
    }

    [Theory]
    [MemberData(nameof(Styles))]
    public void Every_question_has_answers_evidence_that_exists_a_statement_a_category_and_a_date_after_the_sessions(SyntheticStyle style)
    {
        var dataset = Generate(style);

        Assert.NotEmpty(Questions(dataset));
        foreach (var (conversation, question) in Questions(dataset))
        {
            var turns = TurnsById(conversation);
            Assert.NotEmpty(question.Answers);
            Assert.NotEmpty(question.Evidence);
            Assert.All(question.Evidence, id => Assert.True(turns.ContainsKey(id), $"{question.Id}: evidence {id} does not exist"));
            Assert.NotEmpty(question.EvidenceText);
            Assert.Contains(question.Category, SyntheticDatasetGenerator.Categories(style));
            Assert.True(question.Date > conversation.Sessions[^1].Date, $"{question.Id} is dated before the last session");
        }

        // Every category of the style is asked.
        Assert.Equal(
            SyntheticDatasetGenerator.Categories(style).Order(StringComparer.Ordinal),
            Questions(dataset).Select(x => x.Question.Category).Distinct().Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Styles))]
    public void Every_answer_is_stated_in_its_evidence_turns_or_derivable_from_them(SyntheticStyle style)
    {
        foreach (var seed in new[] { 1, 2, 3 })
        {
            var dataset = Generate(style, seed);
            foreach (var (conversation, question) in Questions(dataset))
            {
                var turns = TurnsById(conversation);
                var evidence = question.Evidence.Select(id => turns[id]).ToList();
                var evidenceText = string.Join(' ', evidence.Select(e => e.Turn.Text));
                var words = new HashSet<string>(TextAnalyzer.ContentWords(evidenceText), StringComparer.Ordinal);
                var answer = question.Answers[0];
                var answerWords = TextAnalyzer.ContentWords(answer).Distinct().ToList();
                Assert.NotEmpty(answerWords);
                switch (question.Category)
                {
                    case "temporal":
                        {
                            // A day: the session's (today, this morning), or up to a week before it, said relatively
                            // ("yesterday", "last Saturday") or as a day and month ("on 3 March").
                            var day = DateTimeOffset.ParseExact(answer, "d MMMM yyyy", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                            Assert.Contains(evidence, e =>
                            {
                                var back = (e.Session.Date.Date - day.Date).TotalDays;
                                var text = e.Turn.Text;
                                return back switch
                                {
                                    0 => text.Contains("today", StringComparison.Ordinal) || text.Contains("this morning", StringComparison.Ordinal),
                                    1 => text.Contains("yesterday", StringComparison.Ordinal) || text.Contains(day.ToString("d MMMM", CultureInfo.InvariantCulture), StringComparison.Ordinal),
                                    >= 2 and <= 7 => text.Contains($"last {day.DayOfWeek}", StringComparison.Ordinal) || text.Contains(day.ToString("d MMMM", CultureInfo.InvariantCulture), StringComparison.Ordinal),
                                    _ => false,
                                };
                            });
                            break;
                        }

                    case "commonsense":
                        {
                            // Implied: the concept is not said, the cues are.
                            var found = answerWords.Count(words.Contains);
                            Assert.True(found >= 1 && found < answerWords.Count, $"{question.Id}: {found} of {answerWords.Count} answer words in the evidence: {answer} / {evidenceText}");
                            break;
                        }

                    default:
                        Assert.All(answerWords, w => Assert.True(words.Contains(w), $"{question.Id} [{question.Category}] \"{question.Question}\": \"{w}\" of \"{answer}\" is not in {evidenceText}"));
                        break;
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Styles))]
    public void No_question_gives_its_answer_away(SyntheticStyle style)
    {
        foreach (var (_, question) in Questions(Generate(style, seed: 4, conversations: 3)))
        {
            var questionWords = TextAnalyzer.ContentWords(question.Question).ToHashSet(StringComparer.Ordinal);
            var answerWords = TextAnalyzer.ContentWords(question.Answers[0]).Distinct().ToList();
            Assert.False(answerWords.All(questionWords.Contains), $"{question.Id}: \"{question.Question}\" contains its answer \"{question.Answers[0]}\"");
        }
    }

    [Theory]
    [MemberData(nameof(Styles))]
    public void Questions_are_worded_many_ways(SyntheticStyle style)
    {
        // Per category, the questions' wording (names and values blanked out by taking the first three words) varies.
        var dataset = Generate(style, seed: 5, conversations: 6);
        foreach (var group in Questions(dataset).GroupBy(x => x.Question.Category))
        {
            var openings = group.Select(x => string.Join(' ', x.Question.Question.Split(' ').Take(3))).Distinct().Count();
            Assert.True(openings >= 2, $"{group.Key}: every question starts the same way");
        }
    }

    [Theory]
    [MemberData(nameof(Styles))]
    public void A_dataset_loads_through_the_dataset_reader_unchanged(SyntheticStyle style)
    {
        var dataset = Generate(style);
        var path = Path.Combine(Path.GetTempPath(), $"memfab-synthetic-{Guid.NewGuid():N}.json");
        try
        {
            using (var stream = File.Create(path))
            {
                GenericDatasetWriter.Write(dataset, stream);
            }

            var read = DatasetReader.Read(path);

            Assert.Equal(DatasetFormat.Generic, read.Format);
            Assert.Equal(dataset.Name, read.Name);
            Assert.Equal(dataset.TurnCount, read.TurnCount);
            Assert.Equal(dataset.QuestionCount, read.QuestionCount);
            for (var c = 0; c < dataset.Conversations.Count; c++)
            {
                var expected = dataset.Conversations[c];
                var actual = read.Conversations[c];
                Assert.Equal(expected.Id, actual.Id);
                Assert.Equal(expected.Sessions.Select(s => (s.Id, s.Date)), actual.Sessions.Select(s => (s.Id, s.Date)));
                Assert.Equal(expected.Sessions.SelectMany(s => s.Turns), actual.Sessions.SelectMany(s => s.Turns));
                for (var q = 0; q < expected.Questions.Count; q++)
                {
                    var e = expected.Questions[q];
                    var a = actual.Questions[q];
                    Assert.Equal((e.Id, e.Question, e.Date, e.Category), (a.Id, a.Question, a.Date, a.Category));
                    Assert.Equal(e.Answers, a.Answers);
                    Assert.Equal(e.Evidence, a.Evidence);
                    Assert.Equal(e.EvidenceText, a.EvidenceText);
                }
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Assistant_sessions_have_long_requests_long_answers_updated_facts_and_questions_about_both_speakers()
    {
        var dataset = Generate(SyntheticStyle.Assistant, seed: 1, conversations: 3);
        foreach (var conversation in dataset.Conversations)
        {
            var turns = conversation.Sessions.SelectMany(s => s.Turns).ToList();
            var turnsById = TurnsById(conversation);
            Assert.True(conversation.Sessions.Count >= 20);
            Assert.Contains(turns, t => t.Speaker == "user" && t.Text.Length / 4 >= 300);
            Assert.Contains(turns, t => t.Speaker == "assistant" && t.Text.Length / 4 >= 250);
            Assert.Contains(conversation.Questions, q => q.Category == "assistant-recall" && q.Evidence.All(id => turnsById[id].Turn.Speaker == "assistant"));
            Assert.Contains(conversation.Questions, q => q.Category == "user-fact" && q.Evidence.All(id => turnsById[id].Turn.Speaker == "user"));

            // An update: the current value and an earlier one are different answers.
            var current = conversation.Questions.Where(q => q.Category == "knowledge-update").ToList();
            var earlier = conversation.Questions.Where(q => q.Category == "as-of").ToList();
            Assert.NotEmpty(current);
            Assert.NotEmpty(earlier);
            Assert.DoesNotContain(earlier, e => current.Any(c => c.Answers[0] == e.Answers[0]));
        }
    }

    [Fact]
    public void Chats_have_many_short_messages_photos_nicknames_and_facts_spread_over_messages()
    {
        var dataset = Generate(SyntheticStyle.Chat, seed: 1, conversations: 2);
        foreach (var conversation in dataset.Conversations)
        {
            var turns = conversation.Sessions.SelectMany(s => s.Turns).ToList();
            var speakers = turns.Select(t => t.Speaker).Distinct().ToList();
            Assert.Equal(2, speakers.Count);
            Assert.True(conversation.Sessions.Count >= 20);
            Assert.True(turns.Count >= 20 * conversation.Sessions.Count / 2);
            var tokens = turns.Select(t => t.Text.Length / 4.0).Order().ToList();
            Assert.True(tokens[tokens.Count / 2] <= 10, "the median message is short");
            Assert.Contains(turns, t => t.Text.Contains("[shares a photo of ", StringComparison.Ordinal));

            // Friends call each other by nickname: a short form of a speaker's name that is not the name itself.
            var nicknames = Vocabulary.Nicknamed.Where(n => speakers.Contains(n[0])).SelectMany(n => n.Skip(1)).ToList();
            Assert.Contains(turns, t => nicknames.Any(n => t.Text.Contains(n, StringComparison.Ordinal)));
            Assert.Contains(conversation.Questions, q => q.Category == "multi-hop" && q.Evidence.Count >= 2);
            Assert.Contains(conversation.Questions, q => q.Category == "alias" && q.Evidence.Count == 2);
        }
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(101, null)]
    [InlineData(1, 11)]
    [InlineData(1, 201)]
    public void Counts_out_of_range_are_refused(int conversations, int? sessions)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions { Conversations = conversations, Sessions = sessions }));
    }
}
