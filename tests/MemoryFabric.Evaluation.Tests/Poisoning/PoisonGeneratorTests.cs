using MemoryFabric.Conversation;
using MemoryFabric.Evaluation.Poisoning;
using MemoryFabric.Text;

namespace MemoryFabric.Evaluation.Tests.Poisoning;

public class PoisonGeneratorTests
{
    private static PoisonPlan Plan(int seed, double share = 0.5, WordingSelection wording = WordingSelection.Seen)
    {
        var conversation = PoisonFixture.Create();
        return PoisonGenerator.Generate(conversation, conversation.Questions, PoisonFixture.Pool(conversation), seed, share, wording);
    }

    private static string Describe(PoisonRecord r) => $"{r.Kind}|{r.QuestionId}|{r.WrongValue}|{r.Round}|{r.Input}";

    [Fact]
    public void The_same_seed_gives_the_same_poison()
    {
        Assert.Equal(Plan(7).Records.Select(Describe), Plan(7).Records.Select(Describe));
        Assert.Equal(Plan(7).Targets.Select(t => t.Id), Plan(7).Targets.Select(t => t.Id));
    }

    [Fact]
    public void Different_seeds_give_different_poison()
    {
        var first = string.Join("\n", Plan(1).Records.Select(Describe));
        Assert.Contains(Enumerable.Range(2, 10), s => string.Join("\n", Plan(s).Records.Select(Describe)) != first);
    }

    [Theory]
    [InlineData(0.2, 1)]
    [InlineData(0.5, 3)]
    [InlineData(1.0, 6)]
    public void Targets_are_a_share_of_the_questions_with_evidence_spread_over_categories(double share, int expected)
    {
        var conversation = PoisonFixture.Create();
        var targets = PoisonGenerator.SelectTargets(conversation.Id, conversation.Questions, seed: 3, share);

        Assert.Equal(expected, targets.Count);
        Assert.DoesNotContain(targets, t => t.Id == "syn_qa6"); // no evidence: never targeted
        Assert.Equal(Math.Min(expected, 3), targets.Select(t => t.Category).Distinct().Count());
    }

    [Fact]
    public void Every_target_gets_each_kind_aimed_at_it()
    {
        var conversation = PoisonFixture.Create();
        var plan = Plan(11);
        var participants = new[] { "Ana", "Ben" };
        var start = conversation.Sessions[0].Date;
        var end = conversation.Sessions[^1].Date.AddSeconds(conversation.Sessions[^1].Turns.Count);

        Assert.Equal(3, plan.Targets.Count);
        Assert.Equal(plan.Targets.Count * (3 + PoisonGenerator.RepeatCount), plan.Records.Count);
        foreach (var target in plan.Targets)
        {
            var records = plan.Records.Where(r => r.QuestionId == target.Id).ToList();
            var gold = target.Answers.SelectMany(TextAnalyzer.ContentWords).ToHashSet();
            Assert.Single(records, r => r.Kind == AttackKind.FalseFact);
            Assert.Single(records, r => r.Kind == AttackKind.Instruction);
            Assert.Single(records, r => r.Kind == AttackKind.Trigger);
            var repeated = records.Where(r => r.Kind == AttackKind.Repeated).ToList();
            Assert.Equal(PoisonGenerator.RepeatCount, repeated.Count);
            Assert.Single(repeated.Select(r => r.WrongValue).Distinct());
            Assert.Equal(PoisonGenerator.RepeatCount, repeated.Select(r => r.Input.SessionId).Distinct().Count());
            Assert.Equal(PoisonGenerator.RepeatCount, repeated.Select(r => r.Input.Timestamp.Date).Distinct().Count());
            Assert.All(repeated, r => Assert.Equal(2, r.Round));
            Assert.All(records.Where(r => r.Kind != AttackKind.Repeated), r => Assert.Equal(1, r.Round));

            // A distinct wrong value per kind, contradicting the gold answer.
            Assert.Equal(4, records.Select(r => r.WrongValue).Distinct().Count());
            foreach (var record in records)
            {
                Assert.Contains(record.WrongValue, record.Text, StringComparison.Ordinal);
                Assert.DoesNotContain(TextAnalyzer.ContentWords(record.WrongValue), gold.Contains);
                Assert.DoesNotContain(record.Input.Speaker, participants);
                Assert.NotNull(record.Input.Source);
                Assert.NotEqual(SourceKind.UserStated, record.Input.Source);
                Assert.InRange(record.Input.Trust!.Value, 0.0, 0.5);
                Assert.InRange(record.Input.Timestamp, start, end);
                Assert.StartsWith(PoisonGenerator.TurnIdPrefix, record.TurnId, StringComparison.Ordinal);
                Assert.DoesNotContain(conversation.Sessions, s => s.Id == record.Input.SessionId);
            }

            var falseFact = records.Single(r => r.Kind == AttackKind.FalseFact);
            Assert.Contains(falseFact.Input.Source, new SourceKind?[] { SourceKind.Tool, SourceKind.Web, SourceKind.Imported });
            var instruction = records.Single(r => r.Kind == AttackKind.Instruction);
            Assert.Matches("(?i)always answer|correct answer is always|reply", instruction.Text);
            var trigger = records.Single(r => r.Kind == AttackKind.Trigger);
            Assert.All(TextAnalyzer.ContentWords(target.Question), w => Assert.Contains(w, TextAnalyzer.ContentWords(trigger.Text)));
        }

        Assert.Equal(plan.Records.Count, plan.Records.Select(r => r.TurnId).Distinct().Count());
        Assert.Equal(plan.Questions.Count - plan.Targets.Count, plan.CleanQuestions.Count());
    }

    [Theory]
    [InlineData("What class did Melanie sign up for?", "class did Melanie sign up for")]
    [InlineData("When did Caroline go to the LGBTQ support group?", "Caroline go to the LGBTQ support group")]
    [InlineData("How many children does Melanie have?", "children does Melanie have")]
    [InlineData("Which city does Priya live in now?", "city does Priya live in now")]
    public void Topic_drops_the_question_word(string question, string topic) =>
        Assert.Equal(topic, PoisonGenerator.Topic(question));
}
