namespace MemoryFabric.Notes;

/// <summary>Why a note write was refused (<see cref="NoteConflictException"/>).</summary>
public enum NoteConflictKind
{
    /// <summary>The write named a version that is no longer current (HTTP 409).</summary>
    NotCurrent,

    /// <summary>The caller's expected version (<c>If-Match</c>) is not the current one (HTTP 412).</summary>
    VersionMismatch,
}
