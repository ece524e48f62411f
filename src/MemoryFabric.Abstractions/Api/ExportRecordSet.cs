using MemoryFabric.Conversation;
using MemoryFabric.Notes;

namespace MemoryFabric.Api;

/// <summary>The records of an import, sorted by kind: turns and note versions to store, episodes counted (an import
/// does not store them: consolidation rebuilds them). The server's import route and the Orleans client SDK gather
/// records with it, so both accept and refuse the same lines.</summary>
public sealed class ExportRecordSet
{
    /// <summary>What a record must look like, for error messages.</summary>
    public const string RecordShape = "a record is {\"type\":\"turn\"|\"episode\"|\"note\", ...} with the matching property";

    /// <summary>The turns, in order.</summary>
    public List<Turn> Turns { get; } = [];

    /// <summary>The note versions, in order.</summary>
    public List<Note> Notes { get; } = [];

    /// <summary>How many episode records were seen.</summary>
    public int Episodes { get; private set; }

    /// <summary>Whether nothing was added.</summary>
    public bool IsEmpty => Turns.Count == 0 && Notes.Count == 0 && Episodes == 0;

    /// <summary>Adds a record.</summary>
    /// <param name="record">The record.</param>
    /// <returns><see langword="false"/> when it is not a turn, an episode or a note with the matching property
    /// (<see cref="RecordShape"/>); nothing is added then.</returns>
    public bool TryAdd(ExportRecord? record)
    {
        switch (record?.Type)
        {
            case ExportRecord.TurnType when record.Turn is not null:
                Turns.Add(record.Turn);
                return true;
            case ExportRecord.NoteType when record.Note is not null:
                Notes.Add(record.Note);
                return true;
            case ExportRecord.EpisodeType when record.Episode is not null:
                Episodes++;
                return true;
            default:
                return false;
        }
    }
}
