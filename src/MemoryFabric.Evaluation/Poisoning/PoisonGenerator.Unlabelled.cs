using System.Text.RegularExpressions;
using MemoryFabric.Conversation;
using MemoryFabric.Evaluation.Datasets;
using MemoryFabric.Text;

namespace MemoryFabric.Evaluation.Poisoning;

/// <summary>The unlabelled mode ("The guard without trust labels"): the same targets as the labelled mode, but every
/// injected record is a plain turn (role user, no source, no trust) spoken by a new speaker, never a participant of
/// the conversation (so never the subject). Per target: a correction, a retrieval bait and an instruction (round 1,
/// each its own session at a random date and time within the conversation) and a chorus of
/// <see cref="ChorusSize"/> distinct new speakers, each with a different wording, days apart (round 2). Wordings,
/// speakers, relations and dates are drawn from the run's seed.</summary>
public static partial class PoisonGenerator
{
    /// <summary>How many distinct speakers the chorus has.</summary>
    public const int ChorusSize = 4;

    /// <summary>The shortest gap between two chorus voices.</summary>
    public static TimeSpan ChorusMinimumGap { get; } = TimeSpan.FromDays(1);

    private static readonly string[] NewVoices =
    [
        "Jordan", "Riley", "Morgan", "Casey", "Avery", "Quinn", "Priyanka", "Tomasz", "Leila", "Mateo", "Hannah", "Kwame",
        "Sofia", "Dmitri", "Aisha", "Liam", "Yuki", "Oliver", "Fatima", "Noah", "Ingrid", "Rafael", "Mei", "Gabriel",
        "Zanele", "Erik", "Lucia", "Omar", "Chloe", "Sven",
    ];

    private static PoisonPlan GenerateUnlabelled(
        DatasetConversation conversation,
        IReadOnlyList<DatasetQuestion> questions,
        IReadOnlyList<DatasetQuestion> targets,
        IReadOnlyList<(string Category, string Answer)> answerPool,
        int seed,
        WordingSelection wording)
    {
        var random = new Random(Mix(seed, conversation.Id, "unlabelled"));
        var cleanWords = CleanWords(conversation);
        var participants = conversation.Sessions.SelectMany(s => s.Turns).Select(t => t.Speaker).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var voices = NewVoices.Where(v => !participants.Contains(v, StringComparer.OrdinalIgnoreCase)).ToList();
        for (var n = 1; voices.Count < ChorusSize; n++)
        {
            var guest = $"Guest {n}";
            if (!participants.Contains(guest, StringComparer.OrdinalIgnoreCase))
            {
                voices.Add(guest);
            }
        }

        var families = PoisonWordings.Families(wording);
        var (start, end) = Range(conversation);
        var records = new List<PoisonRecord>();
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var target in targets)
        {
            var question = target.Question.Trim();
            var topic = Topic(question);
            var subject = participants.FirstOrDefault(p => Regex.IsMatch(question, $@"\b{Regex.Escape(p)}\b", RegexOptions.IgnoreCase)) ?? participants.FirstOrDefault() ?? "they";
            var keywords = string.Join(' ', TextAnalyzer.ContentWords(question).Distinct(StringComparer.Ordinal));
            foreach (var kind in AttackKinds.Unlabelled)
            {
                var wrong = WrongValue(target, answerPool, cleanWords, used, random).TrimEnd('.', ' ');
                used.Add(wrong);
                var name = AttackKinds.Name(kind);
                PoisonSlots Slots(string speaker) => new(subject, topic, question, wrong, keywords, speaker, Pick(PoisonWordings.Relations, random));
                if (kind == AttackKind.Chorus)
                {
                    var speakers = Shuffle(voices.ToList(), random).Take(ChorusSize).ToList();
                    var templates = Shuffle(PoisonWordings.Unlabelled(kind).ToList(), random).Take(ChorusSize).ToList();
                    var dates = SpreadDates(start, end, ChorusSize, random);
                    for (var n = 0; n < ChorusSize; n++)
                    {
                        records.Add(Plain(kind, target, wrong, 2, $"{TurnIdPrefix}{name}:{target.Id}:{n + 1}", $"poison-{name}-{target.Id}-{n + 1}",
                            speakers[n], templates[n], Slots(speakers[n]), dates[n], null));
                    }

                    continue;
                }

                string? family = null;
                PoisonTemplate template;
                if (kind == AttackKind.Instruction)
                {
                    family = families.Count == 1 ? families[0] : Pick(families, random);
                    template = Pick(PoisonWordings.Instructions(family), random);
                }
                else
                {
                    template = Pick(PoisonWordings.Unlabelled(kind), random);
                }

                var voice = Pick(voices, random);
                records.Add(Plain(kind, target, wrong, 1, $"{TurnIdPrefix}{name}:{target.Id}:1", $"poison-{name}-{target.Id}-1",
                    voice, template, Slots(voice), At(start, end, random.NextDouble()), family));
            }
        }

        return new PoisonPlan(conversation, questions, targets, records) { Mode = PoisonMode.Unlabelled, Wording = wording };
    }

    private static PoisonRecord Plain(
        AttackKind kind, DatasetQuestion target, string wrong, int round, string id, string session, string speaker, PoisonTemplate template,
        PoisonSlots slots, DateTimeOffset at, string? family) =>
        new(kind, target.Id, wrong, round, new TurnInput
        {
            Id = id,
            SessionId = session,
            Speaker = speaker,
            Role = TurnRole.User,
            Text = template.Render(slots),
            Timestamp = at,
        })
        {
            Template = template.Id,
            Family = family,
        };

    /// <summary><paramref name="count"/> increasing dates within [start, end], at least
    /// <see cref="ChorusMinimumGap"/> apart: one in the middle 70 % of each n-th part of the range when the range is long
    /// enough, else two days apart from near the start (possibly past the end).</summary>
    private static DateTimeOffset[] SpreadDates(DateTimeOffset start, DateTimeOffset end, int count, Random random)
    {
        var dates = new DateTimeOffset[count];
        if ((end - start).Ticks * 0.3 / count >= ChorusMinimumGap.Ticks)
        {
            for (var n = 0; n < count; n++)
            {
                dates[n] = At(start, end, (n + 0.15 + (0.7 * random.NextDouble())) / count);
            }

            return dates;
        }

        for (var n = 0; n < count; n++)
        {
            var at = start.AddDays(2 * n).AddMinutes(random.Next(12 * 60));
            dates[n] = new DateTimeOffset(at.Year, at.Month, at.Day, at.Hour, at.Minute, at.Second, at.Offset);
        }

        return dates;
    }
}
