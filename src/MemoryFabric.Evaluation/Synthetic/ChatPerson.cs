namespace MemoryFabric.Evaluation.Synthetic;

/// <summary>One of the two friends of a chat conversation and what the generator has had them say.</summary>
internal sealed class ChatPerson
{
    public ChatPerson(string[] names) => Names = names;

    /// <summary>The full name (the speaker) and nicknames.</summary>
    public string[] Names { get; }

    public string Name => Names[0];

    public List<(string City, IReadOnlyList<string> Evidence, DateTimeOffset Date)> Homes { get; } = [];

    public List<(string Job, string Company, IReadOnlyList<string> Evidence, DateTimeOffset Date)> Jobs { get; } = [];

    public (string Relation, string ChatForm, string Name, string? IntroTurn) Relative { get; set; }

    public (string Species, string Pet, string[] Cues) PetKind { get; set; }

    public List<string> PetTurns { get; } = [];

    public int Implied { get; set; }

    public List<(string Turn, string Keyword)> ImpliedTurns { get; } = [];

    public List<(string Event, DateTimeOffset Day, IReadOnlyList<string> Evidence)> Events { get; } = [];

    public List<(string Question, string Answer, IReadOnlyList<string> Evidence, string Category, string Statement)> Facts { get; } = [];
}
