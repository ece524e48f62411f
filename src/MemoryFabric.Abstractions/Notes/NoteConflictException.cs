using System.Globalization;

namespace MemoryFabric.Notes;

/// <summary>
/// A note write (an update or a delete) was refused because it does not apply to the note as it is now: it named a
/// version that is no longer current (<see cref="NoteConflictKind.NotCurrent"/>: superseded, merged into a newer
/// version, deleted or archived), or the caller's expected version is not the current one
/// (<see cref="NoteConflictKind.VersionMismatch"/>). Nothing was changed. The HTTP API answers it with a 409 or a
/// 412 problem whose <c>currentId</c>, <c>currentVersion</c> and <c>currentStatus</c> name the current version.
/// </summary>
/// <remarks>The details are kept in <see cref="Exception.Data"/> as well, so they survive Orleans' exception codec
/// (which carries the message and the data, not other properties) across silos.</remarks>
public sealed class NoteConflictException : InvalidOperationException
{
    private const string KindKey = "MemoryFabric.NoteConflict.Kind";
    private const string NoteIdKey = "MemoryFabric.NoteConflict.NoteId";
    private const string CurrentIdKey = "MemoryFabric.NoteConflict.CurrentId";
    private const string CurrentVersionKey = "MemoryFabric.NoteConflict.CurrentVersion";
    private const string CurrentStatusKey = "MemoryFabric.NoteConflict.CurrentStatus";
    private const string ExpectedVersionKey = "MemoryFabric.NoteConflict.ExpectedVersion";

    /// <summary>Creates the exception.</summary>
    public NoteConflictException()
        : base("The note write conflicts with the note's current version.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What conflicts.</param>
    public NoteConflictException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What conflicts.</param>
    /// <param name="innerException">The cause.</param>
    public NoteConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a refused write.</summary>
    /// <param name="message">What conflicts, naming the current version.</param>
    /// <param name="kind">Why the write was refused.</param>
    /// <param name="noteId">The id the write named.</param>
    /// <param name="current">The note's current version (the active one, else the latest written).</param>
    /// <param name="expectedVersion">The version the caller expected, if it gave one.</param>
    public NoteConflictException(string message, NoteConflictKind kind, string noteId, Note current, int? expectedVersion)
        : base(message)
    {
        ArgumentNullException.ThrowIfNull(current);
        Data[KindKey] = kind.ToString();
        Data[NoteIdKey] = noteId;
        Data[CurrentIdKey] = current.Id;
        Data[CurrentVersionKey] = current.Version;
        Data[CurrentStatusKey] = current.Status.ToString();
        if (expectedVersion is { } expected)
        {
            Data[ExpectedVersionKey] = expected;
        }
    }

    /// <summary>Why the write was refused.</summary>
    public NoteConflictKind Kind =>
        Data[KindKey] is string kind && Enum.TryParse<NoteConflictKind>(kind, out var parsed) ? parsed : NoteConflictKind.NotCurrent;

    /// <summary>The id the write named.</summary>
    public string? NoteId => Data[NoteIdKey] as string;

    /// <summary>The id of the note's current version: the one to write to (after reading it again).</summary>
    public string? CurrentId => Data[CurrentIdKey] as string;

    /// <summary>The current version's number (its ETag).</summary>
    public int? CurrentVersion => AsInt(Data[CurrentVersionKey]);

    /// <summary>The current version's status: <see cref="NoteStatus.Active"/>, or <see cref="NoteStatus.Deleted"/> /
    /// <see cref="NoteStatus.Archived"/> when the note has no active version.</summary>
    public NoteStatus? CurrentStatus =>
        Data[CurrentStatusKey] is string status && Enum.TryParse<NoteStatus>(status, out var parsed) ? parsed : null;

    /// <summary>The version the caller expected, if it gave one.</summary>
    public int? ExpectedVersion => AsInt(Data[ExpectedVersionKey]);

    private static int? AsInt(object? value) => value switch
    {
        int i => i,
        long l => (int)l,
        string s when int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };
}
