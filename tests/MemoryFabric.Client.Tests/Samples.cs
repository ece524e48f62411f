using MemoryFabric.Conversation;
using MemoryFabric.Notes;

namespace MemoryFabric.Client.Tests;

internal static class Samples
{
    public static readonly DateTimeOffset Time = new(2023, 5, 8, 13, 56, 0, TimeSpan.Zero);

    public static TurnInput TurnInput(int i, string? id = null) => new()
    {
        Id = id ?? $"t{i}",
        SessionId = "s1",
        Speaker = "Caroline",
        Text = $"Turn number {i}.",
        Timestamp = Time.AddMinutes(i),
    };

    public static readonly IReadOnlyDictionary<string, string> NoMetadata = new Dictionary<string, string>();

    public static Turn Turn(int i) => new($"t{i}", "s1", i % 2 == 0 ? "Caroline" : "assistant",
        i % 2 == 0 ? TurnRole.User : TurnRole.Assistant, $"Turn number {i}.", Time.AddMinutes(i), i, NoMetadata);

    public static Note Note(string id = "n1", int version = 1, NoteStatus status = NoteStatus.Active) => new()
    {
        Id = id,
        LineageId = "n1",
        Version = version,
        Kind = NoteKind.Preference,
        Text = "Melanie loves pottery.",
        Subject = "Melanie",
        Provenance = new NoteProvenance(["t1"], "e1", "rules", "1"),
        LastRecalledAt = Time,
        CreatedAt = Time,
        Status = status,
    };

    public static Episode Episode() => new()
    {
        Id = "e1",
        SessionId = "s1",
        TurnIds = ["t1", "t2"],
        Start = Time,
        End = Time.AddMinutes(1),
        Participants = ["Caroline"],
        Keywords = ["pottery"],
        Entities = ["Melanie"],
        Summary = "Caroline: Melanie loves pottery.",
    };

    public static NoteWrite NoteWrite() => new() { Kind = NoteKind.Fact, Text = "Caroline is a counselor.", Subject = "Caroline" };
}
