using MemoryFabric.Evaluation.Datasets;

namespace MemoryFabric.Evaluation.Synthetic;

/// <summary>
/// Generates one assistant-style conversation: a user asks an assistant for help over many sessions (recipes,
/// itineraries, code, training plans, gifts, budgets). Personal facts are said in passing inside requests that are
/// often long (300–700 tokens); the assistant answers at length with specifics; some facts change over the sessions
/// (home city, job, diet). Questions are dated after the last session.
/// </summary>
internal sealed partial class AssistantStyleGenerator
{
    /// <summary>The user's speaker name.</summary>
    public const string User = "user";

    /// <summary>The assistant's speaker name.</summary>
    public const string Assistant = "assistant";

    private readonly SeededRandom _random;
    private readonly ConversationBuilder _builder;
    private readonly int _sessionCount;
    private readonly Dictionary<int, List<FactKind>> _schedule = [];
    private readonly List<(string Value, string TurnId, DateTimeOffset Date)> _homes = [];
    private readonly List<(string Value, string Company, string TurnId, DateTimeOffset Date)> _jobs = [];
    private readonly List<(string Value, string TurnId, DateTimeOffset Date)> _diets = [];
    private readonly List<(Preference Kind, string Value, string TurnId)> _preferences = [];
    private readonly List<(string Question, string Answer, string TurnId, string Topic)> _recall = [];
    private readonly List<Preference> _preferenceKinds;

    // FactSentence draws a new value and queues it here until Record knows the turn id.
    private readonly Queue<object> _pendingValues = new();

    // Topics (dishes, cities, functions…) already used, so that every question about an answer has one answer.
    private readonly HashSet<string> _usedTopics = new(StringComparer.OrdinalIgnoreCase);
    private readonly (string Relation, string ChatForm, char Gender) _relation;
    private readonly string _relativeName;
    private readonly string _relativeCity;
    private readonly (string Species, string[] Breeds, string[] Cues) _petKind;
    private readonly string _breed;
    private readonly string _petName;
    private readonly string _hobby;
    private readonly string _car;
    private readonly string _colour;
    private readonly string _allergy;
    private string? _relativeTurn;
    private (string TurnId, DateTimeOffset Day)? _petTurn;
    private (string TurnId, DateTimeOffset Day)? _hobbyTurn;
    private (string TurnId, DateTimeOffset Day)? _carTurn;
    private string? _allergyTurn;
    private int _preferenceIndex;

    private AssistantStyleGenerator(SeededRandom random, string id, int sessionCount)
    {
        _random = random;
        _builder = new ConversationBuilder(id);
        _sessionCount = sessionCount;
        _relation = random.Pick(Vocabulary.Relatives.Where(r => r.Relation is not ("roommate" or "best friend")).ToList());
        _relativeName = Vocabulary.NameOf(random, _relation.Gender, []);
        _relativeCity = random.Pick(Vocabulary.Cities);
        _petKind = random.Pick(Vocabulary.Pets.Take(2).ToList());
        _breed = random.Pick(_petKind.Breeds);
        _petName = random.Pick(Vocabulary.PetNames);
        _hobby = random.Pick(Vocabulary.Hobbies);
        _car = random.Pick(Vocabulary.Cars);
        _colour = random.Pick(Vocabulary.Colours);
        _allergy = random.Pick(Vocabulary.Allergies);
        _preferenceKinds = random.Sample(Vocabulary.Preferences, 3);
    }

    private enum FactKind
    {
        HomeInitial, JobInitial, DietInitial, Relative, Pet, Hobby, Car, Allergy, Preference, Move, JobChange, DietChange,
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
        var generator = new AssistantStyleGenerator(random, id, sessionCount);
        generator.PlanFacts();
        var date = start;
        for (var s = 0; s < sessionCount; s++)
        {
            generator.WriteSession(s, date);
            date = date.AddDays(random.Next(4, 15)).AddHours(random.Next(-3, 4)).AddMinutes(random.Next(0, 60));
        }

        generator.AskQuestions();
        return generator._builder.Build();
    }

    private void PlanFacts()
    {
        var s = _sessionCount;
        Plan(0, FactKind.HomeInitial);
        Plan(_random.Next(0, 3), FactKind.JobInitial);
        Plan(_random.Next(1, 4), FactKind.DietInitial);
        Plan(_random.Next(1, s / 2), FactKind.Relative);
        Plan(_random.Next(2, s / 2), FactKind.Pet);
        Plan(_random.Next(3, 2 * s / 3), FactKind.Hobby);
        Plan(_random.Next(3, 2 * s / 3), FactKind.Car);
        Plan(_random.Next(1, s - 2), FactKind.Allergy);
        for (var i = 0; i < _preferenceKinds.Count; i++)
        {
            Plan(_random.Next(1, s - 1), FactKind.Preference);
        }

        Plan(_random.Next(s * 4 / 10, s * 6 / 10), FactKind.Move);
        if (_random.Chance(0.5))
        {
            Plan(_random.Next(s * 3 / 4, s - 1), FactKind.Move);
        }

        Plan(_random.Next(s * 45 / 100, s * 8 / 10), FactKind.JobChange);
        Plan(_random.Next(s * 5 / 10, s * 85 / 100), FactKind.DietChange);
    }

    private void Plan(int session, FactKind kind)
    {
        if (!_schedule.TryGetValue(session, out var list))
        {
            _schedule[session] = list = [];
        }

        list.Add(kind);
    }

    private void WriteSession(int index, DateTimeOffset date)
    {
        _builder.StartSession(date);
        var facts = _schedule.GetValueOrDefault(index) ?? [];
        var tasks = _random.Chance(0.3) ? 2 : 1;
        for (var t = 0; t < tasks; t++)
        {
            var task = AssistantTasks.Create(_random, _random.Next(6), _usedTopics);
            WriteExchange(task, t == 0 ? facts : [], date);
            if (task.FollowUp is { } followUp)
            {
                _builder.Say(User, followUp.Request);
                _builder.Say(Assistant, followUp.Reply, Conversation.TurnRole.Assistant);
            }
        }

        if (_random.Chance(0.5))
        {
            _builder.Say(User, _random.Choose("Thanks, that's really helpful!", "Perfect, thank you.", "Great, I'll try that.", "Cheers, talk soon."));
            _builder.Say(Assistant, _random.Choose("You're welcome! Let me know how it goes.", "Glad it helps. Good luck!", "Any time. Enjoy!"), Conversation.TurnRole.Assistant);
        }
    }

    private void WriteExchange(AssistantTask task, IReadOnlyList<FactKind> facts, DateTimeOffset date)
    {
        // Decide the length first, then say each fact in passing, then pad with filler around them.
        var roll = _random.NextDouble();
        var targetChars = roll < 0.25 ? _random.Next(80, 300) : roll < 0.65 ? _random.Next(500, 1100) : _random.Next(1400, 2900);
        var factSentences = new List<(FactKind Kind, string Sentence)>();
        foreach (var kind in facts)
        {
            factSentences.Add((kind, Templates.Sentence(FactSentence(kind, date))));
        }

        var middle = factSentences.Select(f => f.Sentence).ToList();
        var asides = _random.Sample(AssistantPhrases.Asides, 20).Select(a => FillOther($"{_random.Pick(AssistantPhrases.AsideTimes)}, {a}."));
        var filler = task.Filler.Concat(_random.Sample(AssistantPhrases.Filler, 8).Select(FillOther)).Concat(asides).ToList();
        _random.Shuffle(filler);
        var length = task.Opening.Length + task.Closing.Length + middle.Sum(m => m.Length + 1);
        foreach (var sentence in filler)
        {
            if (length >= targetChars)
            {
                break;
            }

            middle.Insert(_random.Next(middle.Count + 1), sentence);
            length += sentence.Length + 1;
        }

        var request = string.Join(' ', new[] { task.Opening }.Concat(middle).Append(task.Closing));
        var requestId = _builder.Say(User, request);
        foreach (var (kind, _) in factSentences)
        {
            Record(kind, requestId, date);
        }

        var extras = _random.Sample(AssistantPhrases.AssistantExtras, _random.Next(2, 8));
        var answer = task.Answer + " " + string.Join(' ', extras);
        var answerId = _builder.Say(Assistant, answer, Conversation.TurnRole.Assistant);
        foreach (var (question, value) in task.Recall)
        {
            _recall.Add((question, value, answerId, task.Topic));
        }
    }

    // Filler about other people; about a third of the values are the user's own (their cities, diet, breed, hobby,
    // car, allergy, jobs), so that a value's words alone do not find the turn that states the user's fact.
    private string FillOther(string template) => Templates.Fill(
        template,
        ("name", _random.PickOther(_random.Chance(0.5) ? Vocabulary.FemaleNames : Vocabulary.MaleNames, [_relativeName])),
        ("city", Own([.. _homes.Select(h => h.Value), _relativeCity], Vocabulary.Cities)),
        ("diet", Own(_diets.Select(d => d.Value).ToList(), Vocabulary.Diets)),
        ("breed", Own([_breed], _random.Pick(Vocabulary.Pets).Breeds)),
        ("hobby", Own([_hobby], Vocabulary.Hobbies)),
        ("colour", Own([_colour], Vocabulary.Colours)),
        ("car", Own([_car], Vocabulary.Cars)),
        ("allergy", Own([_allergy], Vocabulary.Allergies)),
        ("job", Own(_jobs.Select(j => j.Value).ToList(), Vocabulary.Jobs)),
        ("company", Vocabulary.Company(_random)),
        ("relation", _random.Pick(Vocabulary.Relatives).Relation),
        ("cuisine", _random.Pick(Vocabulary.Cuisines)));

    private string Own(IReadOnlyList<string> own, IReadOnlyList<string> vocabulary) =>
        own.Count > 0 && _random.Chance(0.35) ? _random.Pick(own) : _random.Pick(vocabulary);

    private string FactSentence(FactKind kind, DateTimeOffset date)
    {
        switch (kind)
        {
            case FactKind.HomeInitial:
                {
                    var city = _random.PickOther(Vocabulary.Cities, [_relativeCity]);
                    _pendingValues.Enqueue(city);
                    return Templates.Fill(_random.Pick(AssistantPhrases.HomeInitial), ("city", city));
                }

            case FactKind.Move:
                {
                    var old = _homes.Count > 0 ? _homes[^1].Value : _random.Pick(Vocabulary.Cities);
                    var city = _random.PickOther(Vocabulary.Cities, _homes.Select(h => h.Value).Append(_relativeCity).Append(old));
                    _pendingValues.Enqueue(city);
                    return Templates.Fill(_random.Pick(AssistantPhrases.Move), ("city", city), ("old", old));
                }

            case FactKind.JobInitial or FactKind.JobChange:
                {
                    var job = _random.PickOther(Vocabulary.Jobs, _jobs.Select(j => j.Value));
                    var company = Vocabulary.Company(_random);
                    _pendingValues.Enqueue((job, company));
                    var oldCompany = _jobs.Count > 0 ? _jobs[^1].Company : Vocabulary.Company(_random);
                    return Templates.Fill(_random.Pick(kind == FactKind.JobInitial ? AssistantPhrases.JobInitial : AssistantPhrases.JobChange), ("job", job), ("company", company), ("oldco", oldCompany));
                }

            case FactKind.DietInitial or FactKind.DietChange:
                {
                    var old = _diets.Count > 0 ? _diets[^1].Value : _random.Pick(Vocabulary.Diets);
                    var diet = _random.PickOther(Vocabulary.Diets, _diets.Select(d => d.Value).Append(old));
                    _pendingValues.Enqueue(diet);
                    return Templates.Fill(_random.Pick(kind == FactKind.DietInitial ? AssistantPhrases.DietInitial : AssistantPhrases.DietChange), ("diet", diet), ("old", old));
                }

            case FactKind.Relative:
                return Templates.Fill(_random.Pick(AssistantPhrases.Relative), ("relation", _relation.Relation), ("name", _relativeName), ("city", _relativeCity));

            case FactKind.Pet:
                {
                    var (phrase, day) = Templates.RelativeDay(_random, date);
                    _pendingValues.Enqueue(day);
                    return Templates.Fill(_random.Pick(AssistantPhrases.Pet), ("breed", _breed), ("pet", _petName), ("when", phrase));
                }

            case FactKind.Hobby:
                {
                    var (phrase, day) = Templates.RelativeDay(_random, date);
                    _pendingValues.Enqueue(day);
                    return Templates.Fill(_random.Pick(AssistantPhrases.Hobby), ("hobby", _hobby), ("when", phrase));
                }

            case FactKind.Car:
                {
                    var (phrase, day) = Templates.RelativeDay(_random, date);
                    _pendingValues.Enqueue(day);
                    return Templates.Fill(_random.Pick(AssistantPhrases.Car), ("car", _car), ("colour", _colour), ("when", phrase));
                }

            case FactKind.Allergy:
                return Templates.Fill(_random.Pick(AssistantPhrases.Allergy), ("allergy", _allergy));

            case FactKind.Preference:
                {
                    var kindOf = _preferenceKinds[_preferenceIndex % _preferenceKinds.Count];
                    _preferenceIndex++;
                    var value = _random.Pick(kindOf.Values);
                    _pendingValues.Enqueue((kindOf, value));
                    return Templates.Fill(_random.Pick(kindOf.Statements), ("v", value));
                }

            default:
                throw new InvalidOperationException($"Unknown fact kind {kind}.");
        }
    }

    private void Record(FactKind kind, string turnId, DateTimeOffset date)
    {
        switch (kind)
        {
            case FactKind.HomeInitial or FactKind.Move:
                _homes.Add(((string)_pendingValues.Dequeue(), turnId, date));
                break;
            case FactKind.JobInitial or FactKind.JobChange:
                {
                    var (job, company) = ((string, string))_pendingValues.Dequeue();
                    _jobs.Add((job, company, turnId, date));
                    break;
                }

            case FactKind.DietInitial or FactKind.DietChange:
                _diets.Add(((string)_pendingValues.Dequeue(), turnId, date));
                break;
            case FactKind.Relative:
                _relativeTurn = turnId;
                break;
            case FactKind.Pet:
                _petTurn = (turnId, (DateTimeOffset)_pendingValues.Dequeue());
                break;
            case FactKind.Hobby:
                _hobbyTurn = (turnId, (DateTimeOffset)_pendingValues.Dequeue());
                break;
            case FactKind.Car:
                _carTurn = (turnId, (DateTimeOffset)_pendingValues.Dequeue());
                break;
            case FactKind.Allergy:
                _allergyTurn = turnId;
                break;
            case FactKind.Preference:
                {
                    var (kindOf, value) = ((Preference, string))_pendingValues.Dequeue();
                    _preferences.Add((kindOf, value, turnId));
                    break;
                }
        }
    }
}
