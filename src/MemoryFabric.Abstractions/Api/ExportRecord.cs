using System.Text.Json.Serialization;
using MemoryFabric.Conversation;
using MemoryFabric.Notes;

namespace MemoryFabric.Api;

/// <summary>One line of an export (<c>GET /v1/agents/{agent}/export</c>) and of an import
/// (<c>POST /v1/agents/{agent}/import</c>), as <c>application/x-ndjson</c>: a turn, an episode or a note version.</summary>
/// <remarks>
/// On the wire: <c>{"type":"turn","turn":{...}}</c>, <c>{"type":"episode","episode":{...}}</c> or
/// <c>{"type":"note","note":{...}}</c>. <see cref="Type"/> is a string, not an enum, so that a client reading the
/// export of a newer server keeps the records it does not know (with all three payloads <see langword="null"/>)
/// instead of failing.
/// </remarks>
public sealed record ExportRecord
{
    /// <summary>The <see cref="Type"/> of a turn record.</summary>
    public const string TurnType = "turn";

    /// <summary>The <see cref="Type"/> of an episode record.</summary>
    public const string EpisodeType = "episode";

    /// <summary>The <see cref="Type"/> of a note record.</summary>
    public const string NoteType = "note";

    /// <summary>What the record holds: <see cref="TurnType"/>, <see cref="EpisodeType"/> or <see cref="NoteType"/>.</summary>
    public required string Type { get; init; }

    /// <summary>The turn, when <see cref="Type"/> is <see cref="TurnType"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Turn? Turn { get; init; }

    /// <summary>The episode, when <see cref="Type"/> is <see cref="EpisodeType"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Episode? Episode { get; init; }

    /// <summary>The note version, when <see cref="Type"/> is <see cref="NoteType"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Note? Note { get; init; }

    /// <summary>Creates a turn record.</summary>
    /// <param name="turn">The turn.</param>
    /// <returns>The record.</returns>
    public static ExportRecord FromTurn(Turn turn)
    {
        ArgumentNullException.ThrowIfNull(turn);
        return new() { Type = TurnType, Turn = turn };
    }

    /// <summary>Creates an episode record.</summary>
    /// <param name="episode">The episode.</param>
    /// <returns>The record.</returns>
    public static ExportRecord FromEpisode(Episode episode)
    {
        ArgumentNullException.ThrowIfNull(episode);
        return new() { Type = EpisodeType, Episode = episode };
    }

    /// <summary>Creates a note record.</summary>
    /// <param name="note">The note version.</param>
    /// <returns>The record.</returns>
    public static ExportRecord FromNote(Note note)
    {
        ArgumentNullException.ThrowIfNull(note);
        return new() { Type = NoteType, Note = note };
    }
}
