using System.Globalization;
using MemoryFabric.Conversation;
using MemoryFabric.Notes;

namespace MemoryFabric.Benchmarks.Consensus;

/// <summary>The synthetic facts of <c>memfab bench consensus</c>: people (first and last name) with attributes, each
/// (subject, attribute) with the value most agents hold and, now and then, an agent that holds another; each agent's
/// trusted notes, the first subjects chosen far more often (so popular people are known to many agents); and the weak
/// claims to look up: about what a peer holds with the value most agents hold or another one, or about anybody.</summary>
internal sealed class ConsensusFacts
{
    private static readonly string[] FirstNames =
    [
        "Alma", "Bruno", "Carmen", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kaia", "Luca", "Mira", "Nils",
        "Olga", "Pavel", "Quinn", "Rosa", "Stefan", "Tara", "Umar", "Vera", "Wanda", "Xavier", "Yara", "Zeno", "Aiko", "Boris",
        "Clara", "Dario", "Edda", "Felix", "Gita", "Hana", "Ivo", "Jana", "Karim", "Lena", "Marco", "Nora",
    ];

    private static readonly string[] LastNames =
    [
        "Quist", "Berg", "Okafor", "Silva", "Novak", "Haddad", "Larsen", "Moreau", "Tanaka", "Kowalski", "Ferreira", "Lindqvist",
        "Rossi", "Petrov", "Nakamura", "Dubois", "Svensson", "Costa", "Horvat", "Keller", "Ibrahim", "Jensen", "Marin", "Vidal",
        "Weber", "Yilmaz", "Zhang", "Almeida", "Brandt", "Castillo", "Dahl", "Eriksen", "Fontaine", "Gallo", "Hoffmann", "Ivanova",
        "Janssen", "Kaur", "Lopez", "Meyer",
    ];

    private static readonly (string Attribute, string Template, string[] Values)[] Attributes =
    [
        ("home city", "{0} lives in {1}.", ["Lisbon", "Oslo", "Porto", "Denver", "Seattle", "Kyoto", "Lyon", "Gdansk", "Tallinn", "Bilbao", "Graz", "Turku"]),
        ("employer", "{0} works at {1}.", ["Northwind", "Contoso", "Fabrikam", "Tailspin", "Litware", "Adatum", "Proseware", "Woodgrove", "Wingtip", "Lucerne"]),
        ("pet", "{0} has a {1}.", ["grey cat", "black labrador", "parrot", "tortoise", "ferret", "goldfish", "beagle", "rabbit"]),
        ("sport", "{0} plays {1} every week.", ["tennis", "squash", "handball", "volleyball", "padel", "badminton", "rugby", "chess"]),
        ("car", "{0} drives a {1}.", ["red hatchback", "blue estate", "white van", "green coupe", "silver saloon", "yellow roadster"]),
        ("allergy", "{0} is allergic to {1}.", ["peanuts", "shellfish", "pollen", "penicillin", "latex", "dust mites", "sesame"]),
    ];

    private ConsensusFacts(List<string> agents, Dictionary<string, List<Fact>> notes, List<string> subjects, List<WeakClaim> claims)
    {
        Agents = agents;
        Notes = notes;
        Subjects = subjects;
        Claims = claims;
    }

    /// <summary>The agents' names.</summary>
    public IReadOnlyList<string> Agents { get; }

    /// <summary>Each agent's trusted facts.</summary>
    public IReadOnlyDictionary<string, List<Fact>> Notes { get; }

    /// <summary>The subjects.</summary>
    public IReadOnlyList<string> Subjects { get; }

    /// <summary>The weak claims to look up, in order.</summary>
    public IReadOnlyList<WeakClaim> Claims { get; }

    /// <summary>The mean number of agents that hold a note about a subject held by any.</summary>
    public double MeanAgentsPerSubject =>
        Notes.SelectMany(n => n.Value.Select(f => (Agent: n.Key, f.Subject))).Distinct().GroupBy(p => p.Subject).Average(g => g.Count());

    /// <summary>Generates the facts.</summary>
    /// <param name="options">The settings (agents, notes per agent, subjects, disagreement, claims, seed).</param>
    /// <param name="claims">How many weak claims.</param>
    /// <returns>The facts.</returns>
    public static ConsensusFacts Generate(ConsensusBenchmarkOptions options, int claims)
    {
        var random = new Random(options.Seed);
        var subjectCount = Math.Min(FirstNames.Length * LastNames.Length, options.Subjects ?? Math.Max(10, options.Agents * options.NotesPerAgent / 10));
        var subjects = Enumerable.Range(0, FirstNames.Length * LastNames.Length)
            .Select(i => FirstNames[i % FirstNames.Length] + " " + LastNames[(i / FirstNames.Length + i) % LastNames.Length])
            .Distinct(StringComparer.Ordinal).Take(subjectCount).ToList();
        var held = new Dictionary<(int Subject, int Attribute), int>(); // the value most agents hold
        int Usual(int subject, int attribute)
        {
            if (!held.TryGetValue((subject, attribute), out var value))
            {
                value = random.Next(Attributes[attribute].Values.Length);
                held[(subject, attribute)] = value;
            }

            return value;
        }

        int Other(int attribute, int value) => (value + 1 + random.Next(Attributes[attribute].Values.Length - 1)) % Attributes[attribute].Values.Length;

        var agents = Enumerable.Range(0, options.Agents).Select(i => "agent-" + i.ToString("D2", CultureInfo.InvariantCulture)).ToList();
        var notes = new Dictionary<string, List<Fact>>(StringComparer.Ordinal);
        var pairs = Math.Min(options.NotesPerAgent, subjectCount * Attributes.Length);
        foreach (var agent in agents)
        {
            var mine = new Dictionary<(int, int), Fact>();
            while (mine.Count < pairs)
            {
                var subject = (int)(subjectCount * Math.Pow(random.NextDouble(), 2.5)); // popular people first
                var attribute = random.Next(Attributes.Length);
                if (mine.ContainsKey((subject, attribute)))
                {
                    continue;
                }

                var usual = Usual(subject, attribute);
                var value = random.NextDouble() < options.Disagreement ? Other(attribute, usual) : usual;
                mine[(subject, attribute)] = Make(subjects[subject], attribute, value);
            }

            notes[agent] = [.. mine.Values];
        }

        var weak = new List<WeakClaim>(claims);
        for (var q = 0; q < claims; q++)
        {
            var asker = agents[random.Next(agents.Count)];
            var roll = random.NextDouble();
            if (roll < 0.8)
            {
                // About something a peer holds: the usual value (corroborated) or another (contradicted), half each.
                var peer = agents[(agents.IndexOf(asker) + 1 + random.Next(agents.Count - 1)) % agents.Count];
                var fact = notes[peer][random.Next(notes[peer].Count)];
                var subject = subjects.IndexOf(fact.Subject);
                var attribute = Array.FindIndex(Attributes, a => a.Attribute == fact.Attribute);
                var usual = Usual(subject, attribute);
                var agrees = roll < 0.4;
                weak.Add(new WeakClaim(asker, Make(fact.Subject, attribute, agrees ? usual : Other(attribute, usual)), agrees ? "usual value" : "another value"));
            }
            else
            {
                var subject = random.Next(subjectCount);
                var attribute = random.Next(Attributes.Length);
                weak.Add(new WeakClaim(asker, Make(subjects[subject], attribute, random.Next(Attributes[attribute].Values.Length)), "anybody"));
            }
        }

        return new ConsensusFacts(agents, notes, subjects, weak);
    }

    private static Fact Make(string subject, int attribute, int value)
    {
        var (name, template, values) = Attributes[attribute];
        return new Fact(subject, name, values[value], string.Format(CultureInfo.InvariantCulture, template, subject, values[value]));
    }
}

/// <summary>One (subject, attribute, value) claim and the sentence that states it.</summary>
/// <param name="Subject">The person.</param>
/// <param name="Attribute">The attribute.</param>
/// <param name="Value">The value.</param>
/// <param name="Text">The note's text.</param>
internal sealed record Fact(string Subject, string Attribute, string Value, string Text)
{
    /// <summary>The fact as a trusted note (a user stated it; the API's default trust).</summary>
    /// <returns>The note.</returns>
    public NoteWrite Trusted() => new() { Text = Text, Subject = Subject, Attribute = Attribute, Value = Value };

    /// <summary>The fact as a weak note (a tool said it, trust 0.2).</summary>
    /// <returns>The note.</returns>
    public NoteWrite Weak() => new() { Text = Text, Subject = Subject, Attribute = Attribute, Value = Value, Source = SourceKind.Tool, Trust = 0.2 };
}

/// <summary>A weak claim an agent looks up.</summary>
/// <param name="Asker">The agent whose weak memory makes the claim.</param>
/// <param name="Claim">The claim.</param>
/// <param name="Kind">How it was drawn: the usual value of what a peer holds, another value, or about anybody.</param>
internal sealed record WeakClaim(string Asker, Fact Claim, string Kind);
