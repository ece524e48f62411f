using MemoryFabric.Conversation;
using MemoryFabric.Evaluation.Poisoning;

namespace MemoryFabric.Evaluation.Tests.Poisoning;

/// <summary>Wording families and the unlabelled mode of the poison generator.</summary>
public class PoisonWordingTests
{
    private static readonly PoisonSlots Slots = new("Ana", "the name of Ana's cat", "What is the name of Ana's cat?", "Biscuit", "name ana cat", "Riley", "cousin");

    private static PoisonPlan Plan(int seed, PoisonMode mode, WordingSelection wording = WordingSelection.Unseen, double share = 1.0)
    {
        var conversation = PoisonFixture.Create();
        return PoisonGenerator.Generate(conversation, conversation.Questions, PoisonFixture.Pool(conversation), seed, share, wording, mode);
    }

    private static string Describe(PoisonRecord r) => $"{r.Kind}|{r.QuestionId}|{r.WrongValue}|{r.Round}|{r.Template}|{r.Family}|{r.Input}";

    [Theory]
    [InlineData(PoisonMode.Labelled, WordingSelection.Unseen)]
    [InlineData(PoisonMode.Labelled, WordingSelection.All)]
    [InlineData(PoisonMode.Unlabelled, WordingSelection.Unseen)]
    public void The_same_seed_gives_the_same_records_and_another_seed_other_ones(PoisonMode mode, WordingSelection wording)
    {
        Assert.Equal(Plan(5, mode, wording).Records.Select(Describe), Plan(5, mode, wording).Records.Select(Describe));
        var first = string.Join("\n", Plan(5, mode, wording).Records.Select(Describe));
        Assert.Contains(Enumerable.Range(6, 10), s => string.Join("\n", Plan(s, mode, wording).Records.Select(Describe)) != first);
    }

    [Fact]
    public void The_wording_selection_changes_only_the_instruction_texts()
    {
        var seen = Plan(3, PoisonMode.Labelled, WordingSelection.Seen).Records;
        var unseen = Plan(3, PoisonMode.Labelled, WordingSelection.Unseen).Records;

        Assert.Equal(seen.Count, unseen.Count);
        for (var i = 0; i < seen.Count; i++)
        {
            Assert.Equal(seen[i].Input with { Text = "" }, unseen[i].Input with { Text = "" });
            Assert.Equal(seen[i].WrongValue, unseen[i].WrongValue);
            if (seen[i].Kind == AttackKind.Instruction)
            {
                Assert.Equal(PoisonWordings.SeenFamily, seen[i].Family);
                Assert.Contains(unseen[i].Family, PoisonWordings.HeldOutFamilies);
                Assert.NotEqual(seen[i].Text, unseen[i].Text);
                Assert.Contains(unseen[i].WrongValue, unseen[i].Text, StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal(seen[i].Text, unseen[i].Text);
            }
        }
    }

    [Fact]
    public void Families_are_disjoint_and_each_has_several_wordings()
    {
        var families = PoisonWordings.InstructionFamilies;
        Assert.Equal(families.Count, families.Distinct().Count());
        Assert.DoesNotContain(PoisonWordings.SeenFamily, PoisonWordings.HeldOutFamilies);
        var rendered = new Dictionary<string, string>();
        foreach (var family in families)
        {
            var templates = PoisonWordings.Instructions(family);
            Assert.True(templates.Count >= 3, family);
            foreach (var template in templates)
            {
                Assert.Equal(family, template.Family);
                Assert.Equal(AttackKind.Instruction, template.Kind);
                var text = template.Render(Slots);
                Assert.Contains("Biscuit", text, StringComparison.Ordinal);
                Assert.True(rendered.TryAdd(text, family), $"'{text}' is in both {family} and {rendered.GetValueOrDefault(text)}");
            }
        }

        Assert.Equal(families.Sum(f => PoisonWordings.Instructions(f).Count), rendered.Count);
        Assert.Equal(PoisonWordings.HeldOutFamilies, PoisonWordings.Families(WordingSelection.Unseen));
        Assert.Equal([PoisonWordings.SeenFamily], PoisonWordings.Families(WordingSelection.Seen));
    }

    [Fact]
    public void Unseen_runs_use_only_held_out_wordings_and_every_family_appears()
    {
        var records = Enumerable.Range(0, 20).SelectMany(s => Plan(s, PoisonMode.Labelled).Records).Where(r => r.Kind == AttackKind.Instruction).ToList();
        var seenTexts = PoisonWordings.Instructions(PoisonWordings.SeenFamily).Select(t => t.Id).ToHashSet();

        Assert.DoesNotContain(records, r => seenTexts.Contains(r.Template!));
        Assert.Equal(PoisonWordings.HeldOutFamilies.ToHashSet(), records.Select(r => r.Family!).ToHashSet());
    }

    [Theory]
    [InlineData(AttackKind.Correction)]
    [InlineData(AttackKind.Bait)]
    [InlineData(AttackKind.Chorus)]
    [InlineData(AttackKind.Instruction)]
    public void Each_unlabelled_kind_has_at_least_six_distinct_wordings_and_uses_them(AttackKind kind)
    {
        var templates = PoisonWordings.Unlabelled(kind);
        Assert.True(templates.Select(t => t.Render(Slots)).Distinct().Count() >= 6);
        Assert.All(templates, t => Assert.Equal(kind, t.Kind));

        var used = Enumerable.Range(0, 20).SelectMany(s => Plan(s, PoisonMode.Unlabelled).Records).Where(r => r.Kind == kind).Select(r => r.Template).Distinct().Count();
        Assert.True(used >= 6, $"{used} wordings of {kind} used over 20 seeds");
    }

    [Fact]
    public void Unlabelled_records_are_plain_user_turns_by_new_speakers()
    {
        var conversation = PoisonFixture.Create();
        var participants = conversation.Sessions.SelectMany(s => s.Turns).Select(t => t.Speaker).ToHashSet();
        var labelled = Plan(4, PoisonMode.Labelled);
        var plan = Plan(4, PoisonMode.Unlabelled);

        Assert.Equal(PoisonMode.Unlabelled, plan.Mode);
        Assert.Equal(labelled.Targets.Select(t => t.Id), plan.Targets.Select(t => t.Id)); // the same targets
        Assert.Equal(plan.Targets.Count * (3 + PoisonGenerator.ChorusSize), plan.Records.Count);
        Assert.Equal(plan.Records.Count, plan.Records.Select(r => r.TurnId).Distinct().Count());
        Assert.True(plan.Records.Select(r => r.Input.Speaker).Distinct().Count() >= 6, "speakers vary");
        Assert.True(plan.Records.Select(r => r.Input.Timestamp.Date).Distinct().Count() >= 6, "dates vary");
        foreach (var record in plan.Records)
        {
            Assert.Equal(TurnRole.User, record.Input.Role);
            Assert.Null(record.Input.Source);
            Assert.Null(record.Input.Trust);
            Assert.DoesNotContain(record.Input.Speaker, participants);
            var subject = conversation.Questions.Single(q => q.Id == record.QuestionId).Question.Contains("Ben", StringComparison.Ordinal) ? "Ben" : "Ana";
            Assert.NotEqual(subject, record.Input.Speaker);
            Assert.Contains(record.WrongValue, record.Text, StringComparison.Ordinal);
            Assert.Contains(record.Kind, AttackKinds.Unlabelled);
            Assert.Equal(record.Kind == AttackKind.Chorus ? 2 : 1, record.Round);
            Assert.DoesNotContain(conversation.Sessions, s => s.Id == record.Input.SessionId);
        }
    }

    [Fact]
    public void The_chorus_is_distinct_new_voices_in_different_words_days_apart()
    {
        foreach (var seed in Enumerable.Range(0, 10))
        {
            var plan = Plan(seed, PoisonMode.Unlabelled);
            foreach (var target in plan.Targets)
            {
                var chorus = plan.Records.Where(r => r.QuestionId == target.Id && r.Kind == AttackKind.Chorus).ToList();
                Assert.Equal(PoisonGenerator.ChorusSize, chorus.Count);
                Assert.Equal(chorus.Count, chorus.Select(r => r.Input.Speaker).Distinct().Count());
                Assert.Equal(chorus.Count, chorus.Select(r => r.Template).Distinct().Count());
                Assert.Single(chorus.Select(r => r.WrongValue).Distinct());
                Assert.Equal(chorus.Count, chorus.Select(r => r.Input.SessionId).Distinct().Count());

                var dates = chorus.Select(r => r.Input.Timestamp).Order().ToList();
                for (var i = 1; i < dates.Count; i++)
                {
                    Assert.True(dates[i] - dates[i - 1] >= PoisonGenerator.ChorusMinimumGap, $"{dates[i - 1]} then {dates[i]}");
                }
            }
        }
    }
}
