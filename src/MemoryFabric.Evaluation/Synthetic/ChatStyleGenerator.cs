using MemoryFabric.Evaluation.Datasets;

namespace MemoryFabric.Evaluation.Synthetic;

/// <summary>
/// Generates one chat between two friends: 20+ sessions of many short messages with typos, slang, abbreviations,
/// emoji and shared photos (<c>[shares a photo of …]</c>); facts told over several consecutive messages, implied facts
/// (a stroller implies a baby), relatives named once and later called "my sis", moves and job changes, and small talk
/// and near-miss facts about other people that mention the same kinds of things.
/// </summary>
internal sealed partial class ChatStyleGenerator
{
    /// <summary>Question categories of the chat set.</summary>
    public static readonly IReadOnlyList<string> Categories = ["single-hop", "multi-hop", "temporal", "commonsense", "alias", "update", "photo"];

    private readonly SeededRandom _random;
    private readonly ConversationBuilder _builder;
    private readonly ChatPerson[] _people;
    private readonly Dictionary<int, List<(ChatPerson Person, StoryKind Kind)>> _schedule = [];

    private ChatStyleGenerator(SeededRandom random, string id)
    {
        _random = random;
        _builder = new ConversationBuilder(id);
        var pair = random.Sample(Vocabulary.Nicknamed, 2);
        _people = [new ChatPerson(pair[0]), new ChatPerson(pair[1])];
        var implied = random.Sample(Enumerable.Range(0, ChatPhrases.Implied.Length).ToList(), 2);
        var pets = random.Sample(Vocabulary.Pets.ToList(), 2);
        var relatives = random.Sample(Vocabulary.Relatives.Where(r => r.Relation is not ("best friend" or "roommate")).ToList(), 2);
        var petNames = random.Sample(Vocabulary.PetNames, 2);
        for (var i = 0; i < 2; i++)
        {
            _people[i].Implied = implied[i];
            _people[i].PetKind = (pets[i].Species, petNames[i], pets[i].Cues);
            var name = Vocabulary.NameOf(random, relatives[i].Gender, _people.Select(p => p.Name));
            _people[i].Relative = (relatives[i].Relation, relatives[i].ChatForm, name, null);
        }
    }

    private enum StoryKind
    {
        HomeInitial, Move, JobInitial, JobChange, RelativeIntro, RelativeEvent, PetCue, ImpliedCue, Event, Photo, Instrument, Band, Hobby,
    }

    /// <summary>Generates the conversation.</summary>
    /// <param name="random">The random source (consumed).</param>
    /// <param name="id">The conversation id.</param>
    /// <param name="sessionCount">The number of sessions (at least 12).</param>
    /// <param name="start">The date of the first session.</param>
    /// <returns>The conversation with its questions.</returns>
    public static DatasetConversation Generate(SeededRandom random, string id, int sessionCount, DateTimeOffset start)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sessionCount, 12);
        var generator = new ChatStyleGenerator(random, id);
        generator.PlanStories(sessionCount);
        var date = start;
        for (var s = 0; s < sessionCount; s++)
        {
            generator.WriteSession(s, date);
            date = date.AddDays(random.Next(3, 12)).AddHours(random.Next(-4, 5)).AddMinutes(random.Next(0, 60));
        }

        generator.AskQuestions();
        return generator._builder.Build();
    }

    private void PlanStories(int s)
    {
        foreach (var person in _people)
        {
            Plan(_random.Next(0, 3), person, StoryKind.HomeInitial);
            Plan(_random.Next(1, s / 4), person, StoryKind.JobInitial);
            Plan(_random.Next(1, s / 3), person, StoryKind.RelativeIntro);
            Plan(_random.Next(s / 2, s), person, StoryKind.RelativeEvent);
            var petSessions = _random.Sample(Enumerable.Range(1, s - 1).ToList(), 2);
            var impliedSessions = _random.Sample(Enumerable.Range(1, s - 1).ToList(), 2);
            petSessions.ForEach(x => Plan(x, person, StoryKind.PetCue));
            impliedSessions.ForEach(x => Plan(x, person, StoryKind.ImpliedCue));
            for (var e = 0; e < 3; e++)
            {
                Plan(_random.Next(1, s), person, StoryKind.Event);
            }

            Plan(_random.Next(1, s), person, StoryKind.Photo);
            Plan(_random.Next(1, s), person, StoryKind.Instrument);
            Plan(_random.Next(1, s), person, StoryKind.Band);
            Plan(_random.Next(1, s), person, StoryKind.Hobby);
            if (_random.Chance(0.6))
            {
                Plan(_random.Next(s / 2, s), person, StoryKind.Move);
            }

            if (_random.Chance(0.6))
            {
                Plan(_random.Next(s / 2, s), person, StoryKind.JobChange);
            }
        }
    }

    private void Plan(int session, ChatPerson person, StoryKind kind)
    {
        if (!_schedule.TryGetValue(session, out var list))
        {
            _schedule[session] = list = [];
        }

        list.Add((person, kind));
    }

    // Values the friends have said so far, by slot: small talk and near-miss facts about other people mention them
    // too, so that a value's words alone do not find its evidence.
    private readonly Dictionary<string, List<string>> _seen = new(StringComparer.Ordinal);

    private void Seen(string slot, string value)
    {
        if (!_seen.TryGetValue(slot, out var list))
        {
            _seen[slot] = list = [];
        }

        list.Add(value);
    }

    private string Mention(string slot, IReadOnlyList<string> vocabulary) =>
        _random.Chance(0.35) && _seen.TryGetValue(slot, out var seen) ? _random.Pick(seen) : _random.Pick(vocabulary);

    private ChatPerson Other(ChatPerson person) => ReferenceEquals(person, _people[0]) ? _people[1] : _people[0];

    private string Say(ChatPerson person, string template, params (string Key, string Value)[] slots)
    {
        var all = slots.Append(("nick", _random.Pick(Other(person).Names.Skip(1).ToList()))).ToArray();
        return _builder.Say(person.Name, ChatStyle.Say(_random, template, all));
    }

    private void WriteSession(int index, DateTimeOffset date)
    {
        _builder.StartSession(date);
        var first = _random.Pick(_people);
        Say(first, _random.Pick(ChatPhrases.Greetings));
        Say(Other(first), _random.Pick(ChatPhrases.GreetingReplies));

        var stories = (_schedule.GetValueOrDefault(index) ?? []).OrderBy(x => x.Kind is StoryKind.HomeInitial or StoryKind.JobInitial or StoryKind.RelativeIntro ? 0 : 1).ToList();
        var fillers = _random.Next(6, 15);
        var slots = new List<int>();
        for (var i = 0; i < stories.Count; i++)
        {
            slots.Add(i);
        }

        for (var i = 0; i < fillers; i++)
        {
            slots.Insert(_random.Next(slots.Count + 1), -1);
        }

        // Stories keep their planned order (an introduction before its follow-up); filler goes anywhere.
        var next = 0;
        foreach (var slot in slots)
        {
            if (slot < 0)
            {
                Filler();
            }
            else
            {
                var (person, kind) = stories[next++];
                Tell(person, kind, date);
            }
        }

        var last = _random.Pick(_people);
        Say(last, _random.Pick(ChatPhrases.Goodbyes));
        if (_random.Chance(0.7))
        {
            Say(Other(last), _random.Pick(ChatPhrases.GoodbyeReplies));
        }
    }

    private void Filler()
    {
        var speaker = _random.Pick(_people);
        var roll = _random.NextDouble();
        var template = roll < 0.6 ? _random.Pick(Vocabulary.SmallTalk) : roll < 0.85 ? _random.Pick(ChatPhrases.NearMiss) : _random.Pick(ChatPhrases.DistractorPhotos);
        var pet = _random.Pick(Vocabulary.Pets);
        var make = _random.Pick(Vocabulary.Makes);
        Say(speaker, template,
            ("city", Mention("city", Vocabulary.Cities)), ("band", Mention("band", Vocabulary.Bands)), ("hobby", Mention("hobby", Vocabulary.Hobbies)),
            ("food", _random.Pick(Vocabulary.ChatFoods)), ("name", _random.Pick(Vocabulary.FemaleNames)), ("day", _random.Pick(Vocabulary.Weekdays)),
            ("company", _random.Chance(0.35) && _seen.TryGetValue("company", out var companies) ? _random.Pick(companies) : Vocabulary.Company(_random)),
            ("species", pet.Species), ("instrument", Mention("instrument", Vocabulary.Instruments)),
            ("job", Mention("job", Vocabulary.Jobs)), ("event", Mention("event", Vocabulary.Events)), ("rel", _random.Pick(Vocabulary.Relatives).Relation),
            ("make", make.Thing));
        var replies = _random.Next(0, 3);
        for (var i = 0; i < replies; i++)
        {
            Say(i == 0 || _random.Chance(0.5) ? Other(speaker) : speaker, _random.Pick(Vocabulary.Reactions));
        }
    }
}
