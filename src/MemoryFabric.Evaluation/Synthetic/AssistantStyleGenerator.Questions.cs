namespace MemoryFabric.Evaluation.Synthetic;

internal sealed partial class AssistantStyleGenerator
{
    /// <summary>Question categories of the assistant-style set.</summary>
    public static readonly IReadOnlyList<string> Categories =
        ["user-fact", "assistant-recall", "knowledge-update", "as-of", "preference", "temporal", "multi-hop"];

    private DateTimeOffset QuestionDate() =>
        _builder.LastSessionDate.AddDays(_random.Next(2, 30)).AddHours(_random.Next(0, 12));

    private void Ask(string category, string question, string answer, IReadOnlyList<string> evidence, string evidenceText) =>
        _builder.Ask(category, question, QuestionDate(), [answer], evidence, [evidenceText]);

    private void AskQuestions()
    {
        var relation = _relation.Relation;

        // user-fact: said once, in passing.
        if (_relativeTurn is { } relativeTurn)
        {
            Ask("user-fact", _random.Choose($"What's my {relation}'s name?", $"Remind me, what is my {relation} called?", $"What's the name of my {relation}?"),
                _relativeName, [relativeTurn], $"The user's {relation} is called {_relativeName}.");
            Ask("user-fact", _random.Choose($"Which city does my {relation} live in?", $"If I go and see {_relativeName}, which city am I travelling to?", $"Where is my {relation} {_relativeName} based?"),
                _relativeCity, [relativeTurn], $"The user's {relation} {_relativeName} lives in {_relativeCity}.");
        }

        if (_petTurn is { } pet)
        {
            Ask("user-fact", _random.Choose($"What's my {_petKind.Species} called?", $"What name did I give the {_breed}?", $"Remind me of my {_petKind.Species}'s name."),
                _petName, [pet.TurnId], $"The user's {_petKind.Species} is a {_breed} named {_petName}.");
            Ask("user-fact", _random.Choose($"What breed is {_petName}?", $"What kind of {_petKind.Species} is {_petName}?"),
                _breed, [pet.TurnId], $"{_petName} is a {_breed}.");
            Ask("temporal", _random.Choose($"When did I adopt {_petName}?", $"On what date did {_petName} come home with me?", $"When did I get my {_breed}?"),
                Templates.Day(pet.Day), [pet.TurnId], $"The user adopted {_petName} on {Templates.Day(pet.Day)}.");
        }

        if (_allergyTurn is { } allergyTurn)
        {
            Ask("user-fact", _random.Choose("What am I allergic to?", "Is there anything I have a medical allergy to?", "What should a restaurant know about my allergies?"),
                _allergy, [allergyTurn], $"The user is allergic to {_allergy}.");
        }

        if (_carTurn is { } car)
        {
            Ask("user-fact", _random.Choose("What car do I drive?", "Which model of car did I buy?", "What's my car?"),
                $"{_colour} {_car}", [car.TurnId], $"The user drives a {_colour} {_car}.");
            Ask("temporal", _random.Choose($"When did I buy my {_car}?", $"What date did I pick up the {_colour} car?", "When did I get my car?"),
                Templates.Day(car.Day), [car.TurnId], $"The user bought a {_colour} {_car} on {Templates.Day(car.Day)}.");
        }

        if (_hobbyTurn is { } hobby)
        {
            Ask("user-fact", _random.Choose("What new activity did I take up this year?", "Which class did I sign up for?", "What hobby did I start lessons in?"),
                _hobby, [hobby.TurnId], $"The user took up {_hobby}.");
            Ask("temporal", _random.Choose($"When did I start {_hobby}?", $"On what date did I begin my {_hobby} lessons?", $"When was my first {_hobby} class?"),
                Templates.Day(hobby.Day), [hobby.TurnId], $"The user started {_hobby} on {Templates.Day(hobby.Day)}.");
        }

        // knowledge-update and as-of: the current value, and the value valid in an earlier month.
        AskTimeline(
            _homes.Select(h => (h.Value, h.TurnId, h.Date)).ToList(),
            () => _random.Choose("Where do I live now?", "Which city am I living in these days?", "What's my current city?", "Where's home for me at the moment?"),
            month => _random.Choose($"Which city was I living in back in {month}?", $"Where did I live in {month}?", $"What city was home for me in {month}?"),
            (value, when) => $"The user lives in {value} (since {when}).");
        AskTimeline(
            _jobs.Select(j => ($"{j.Value} at {j.Company}", j.TurnId, j.Date)).ToList(),
            () => _random.Choose("Where do I work now, and what's my role?", "What's my current job?", "What do I do for a living these days?"),
            month => _random.Choose($"Where was I working in {month}, and as what?", $"What was my job in {month}?"),
            (value, when) => $"The user works as a {value} (since {when}).");
        AskTimeline(
            _diets.Select(d => (d.Value, d.TurnId, d.Date)).ToList(),
            () => _random.Choose("What diet am I following at the moment?", "Do I follow any diet right now? Which one?", "What should you keep in mind about my eating these days?"),
            month => _random.Choose($"What diet was I on in {month}?", $"How was I eating back in {month}, diet-wise?"),
            (value, when) => $"The user's diet is {value} (since {when}).");

        // preference: the question does not name the preference's words.
        foreach (var (kind, value, turnId) in _preferences.GroupBy(p => p.Kind.Kind).Select(g => g.Last()))
        {
            Ask("preference", _random.Pick(kind.Questions), value, [turnId], $"The user's {kind.Kind} preference is {value}.");
        }

        // multi-hop: two facts from different sessions.
        if (_relativeTurn is { } rt && _homes.Count > 0)
        {
            var home = _homes[^1];
            _builder.Ask("multi-hop",
                _random.Choose($"Which two cities would a drive from my home to my {relation}'s place connect?", $"If {_relativeName} visits me, which city do they leave from and which city do they arrive in?"),
                QuestionDate(), [$"{_relativeCity} and {home.Value}"], [rt, home.TurnId],
                [$"The user's {relation} {_relativeName} lives in {_relativeCity}.", $"The user lives in {home.Value}."]);
        }

        if (_petTurn is { } p && _homes.Count > 0)
        {
            var home = _homes.LastOrDefault(h => h.Date < _builder.Turns[p.TurnId].SessionDate);
            if (home.TurnId is not null)
            {
                _builder.Ask("multi-hop",
                    _random.Choose($"Which city was I living in when I adopted {_petName}?", $"Where was home when {_petName} joined me?"),
                    QuestionDate(), [home.Value], home.TurnId == p.TurnId ? [p.TurnId] : [p.TurnId, home.TurnId],
                    [$"The user adopted {_petName} on {Templates.Day(p.Day)}.", $"The user lived in {home.Value} then."]);
            }
        }

        // assistant-recall: specifics of the assistant's answers, from as many sessions as possible.
        var picked = _random.Sample(_recall.GroupBy(r => r.TurnId).Select(g => _random.Pick(g.ToList())).ToList(), 10);
        foreach (var (question, answer, turnId, topic) in picked)
        {
            Ask("assistant-recall", question, answer, [turnId], $"In the answer about {topic}, the assistant said: {answer}.");
        }
    }

    private void AskTimeline(
        List<(string Value, string TurnId, DateTimeOffset Date)> timeline,
        Func<string> currentQuestion,
        Func<string, string> asOfQuestion,
        Func<string, string, string> statement)
    {
        if (timeline.Count == 0)
        {
            return;
        }

        var current = timeline[^1];
        Ask("knowledge-update", currentQuestion(), current.Value, [current.TurnId], statement(current.Value, Templates.Day(current.Date)));
        if (timeline.Count < 2)
        {
            return;
        }

        // An earlier value, asked about in the month it was stated, unless the next value was stated that month too.
        var i = _random.Next(timeline.Count - 1);
        var month = Templates.Month(timeline[i].Date);
        if (month == Templates.Month(timeline[i + 1].Date))
        {
            return;
        }

        Ask("as-of", asOfQuestion(month), timeline[i].Value, [timeline[i].TurnId], statement(timeline[i].Value, Templates.Day(timeline[i].Date)) + $" Until {Templates.Day(timeline[i + 1].Date)}.");
    }
}
