namespace MemoryFabric.Evaluation.Synthetic;

internal sealed partial class ChatStyleGenerator
{
    private DateTimeOffset QuestionDate() => _builder.LastSessionDate.AddDays(_random.Next(1, 20)).AddHours(_random.Next(0, 12));

    private void Ask(string category, string question, string answer, IReadOnlyList<string> evidence, string statement) =>
        _builder.Ask(category, question, QuestionDate(), [answer], evidence, [statement]);

    // A person as a question names them: the full name, sometimes a nickname.
    private string Called(ChatPerson p) => _random.Chance(0.2) ? _random.Pick(p.Names.Skip(1).ToList()) : p.Name;

    private void AskQuestions()
    {
        foreach (var p in _people)
        {
            foreach (var (question, answer, evidence, category, statement) in p.Facts)
            {
                Ask(category, question.Replace(p.Name, Called(p), StringComparison.Ordinal), answer, evidence, statement);
            }

            var name = Called(p);
            if (p.Homes.Count > 1)
            {
                var home = p.Homes[^1];
                Ask("update", _random.Choose($"Where does {name} live now?", $"Which city is {name} based in these days?", $"What city did {name} move to?"),
                    home.City, home.Evidence, $"{p.Name} moved to {home.City}.");
            }
            else if (p.Homes.Count == 1)
            {
                Ask("single-hop", _random.Choose($"Which city does {name} live in?", $"Where is {name} living?"),
                    p.Homes[0].City, p.Homes[0].Evidence, $"{p.Name} lives in {p.Homes[0].City}.");
            }

            if (p.Jobs.Count > 0)
            {
                var first = p.Jobs[0];
                Ask("multi-hop", _random.Choose($"What job did {name} get in {Templates.Month(first.Date)}, and at which company?", $"Which role did {name} land in {Templates.Month(first.Date)}, and where?"),
                    $"{first.Job} at {first.Company}", first.Evidence, $"{p.Name} got a job as a {first.Job} at {first.Company} in {Templates.Month(first.Date)}.");
            }

            if (p.Jobs.Count > 1)
            {
                var current = p.Jobs[^1];
                Ask("update", _random.Choose($"Where does {name} work now, and as what?", $"What is {name}'s current job?", $"What's {name} doing for work these days?"),
                    $"{current.Job} at {current.Company}", current.Evidence, $"{p.Name} now works as a {current.Job} at {current.Company}.");
            }

            foreach (var (evt, day, evidence) in p.Events)
            {
                Ask("temporal", _random.Choose($"When did {name} go to {evt}?", $"On what date was {name} at {evt}?", $"What day did {name} attend {evt}?"),
                    Templates.Day(day), evidence, $"{p.Name} went to {evt} on {Templates.Day(day)}.");
            }

            if (p.PetTurns.Count > 0)
            {
                Ask("commonsense", _random.Choose($"What kind of pet does {name} most likely have?", $"What animal does {name} probably live with?", $"Does {name} have a pet? What kind?"),
                    $"a {p.PetKind.Species} ({p.PetKind.Pet})", p.PetTurns, $"{p.Name} has a {p.PetKind.Species} named {p.PetKind.Pet}.");
            }

            if (p.ImpliedTurns.Count > 0)
            {
                var implied = ChatPhrases.Implied[p.Implied];
                Ask("commonsense", Templates.Fill(_random.Pick(implied.Questions), ("p", name)),
                    $"{implied.Concept} ({string.Join(", ", p.ImpliedTurns.Select(t => t.Keyword))})", p.ImpliedTurns.Select(t => t.Turn).ToList(),
                    $"What {p.Name} mentions implies {implied.Concept}.");
            }
        }
    }
}
