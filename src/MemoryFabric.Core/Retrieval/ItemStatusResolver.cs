using MemoryFabric.Notes;

namespace MemoryFabric.Retrieval;

/// <summary>What a retrieved item's state is: its <see cref="MemoryItemStatus"/>, the version that replaced it and
/// its validity, and the active note that now stands in its place (its successor), if any.</summary>
/// <param name="Status">Active, superseded or expired.</param>
/// <param name="SupersededBy">The version that replaced it (for a superseded item).</param>
/// <param name="ValidFrom">From when the statement holds (notes, and turns that take a note's state).</param>
/// <param name="ValidTo">Until when it held, if known.</param>
/// <param name="Successor">The active note version that replaced it, following the chain of replacements (for a
/// superseded item whose replacement still holds); <see langword="null"/> otherwise.</param>
internal readonly record struct ItemState(
    MemoryItemStatus Status,
    string? SupersededBy = null,
    DateTimeOffset? ValidFrom = null,
    DateTimeOffset? ValidTo = null,
    Note? Successor = null)
{
    /// <summary>The state of an item nothing replaced.</summary>
    public static ItemState Active { get; } = new(MemoryItemStatus.Active);

    /// <summary>Whether the item no longer holds (superseded or expired).</summary>
    public bool IsStale => Status != MemoryItemStatus.Active;
}

/// <summary>
/// Decides the state of retrieved items at a query time. A note version is superseded when a newer one replaced it
/// and expired when it is active but its valid-to has passed. A turn takes the state of the notes drawn from it
/// when none of them holds any more: superseded (with the replacing version and the note's validity) when one of
/// them was superseded, expired when they all expired; a turn that is a source of an active note, or of no note,
/// is active. Episodes are always active.
/// </summary>
/// <param name="notes">The agent's note store.</param>
/// <param name="sources">Which note versions cite each turn.</param>
/// <param name="asOf">The query time.</param>
internal sealed class ItemStatusResolver(NoteStore notes, NoteSourceIndex sources, DateTimeOffset asOf)
{
    // Replacement chains are short (one per update or contradiction); the bound only guards against a cycle.
    private const int MaxChain = 64;

    /// <summary>The state of an item.</summary>
    /// <param name="kind">Its level.</param>
    /// <param name="id">The turn, episode or note version id.</param>
    /// <returns>The state.</returns>
    public ItemState Of(MemoryItemKind kind, string id) => kind switch
    {
        MemoryItemKind.Note => notes.Get(id) is { } note ? OfNote(note) : ItemState.Active,
        MemoryItemKind.Turn => OfTurn(id),
        _ => ItemState.Active,
    };

    /// <summary>The state of a note version.</summary>
    /// <param name="note">The version.</param>
    /// <returns>The state.</returns>
    public ItemState OfNote(Note note)
    {
        ArgumentNullException.ThrowIfNull(note);
        return note.Status switch
        {
            NoteStatus.Superseded => new ItemState(MemoryItemStatus.Superseded, note.SupersededById, note.ValidFrom, note.ValidTo, Successor(note)),
            NoteStatus.Active when note.ValidTo is { } end && end <= asOf => new ItemState(MemoryItemStatus.Expired, null, note.ValidFrom, note.ValidTo),
            _ => ItemState.Active with { ValidFrom = note.ValidFrom, ValidTo = note.ValidTo },
        };
    }

    private ItemState OfTurn(string turnId)
    {
        ItemState? superseded = null;
        ItemState? expired = null;
        foreach (var noteId in sources.NotesCiting(notes, turnId))
        {
            if (notes.Get(noteId) is not { } note)
            {
                continue;
            }

            var state = OfNote(note);
            switch (state.Status)
            {
                case MemoryItemStatus.Active when note.Status == NoteStatus.Active:
                    return ItemState.Active; // the turn still carries a fact that holds
                case MemoryItemStatus.Superseded:
                    // The most recent replacement speaks for the turn.
                    if (superseded is not { } s || (state.ValidTo ?? DateTimeOffset.MinValue) > (s.ValidTo ?? DateTimeOffset.MinValue))
                    {
                        superseded = state;
                    }

                    break;
                case MemoryItemStatus.Expired:
                    expired ??= state;
                    break;
            }
        }

        return superseded ?? expired ?? ItemState.Active;
    }

    // The active version at the end of a note's chain of replacements, if the chain ends in one.
    private Note? Successor(Note note)
    {
        var current = note;
        for (var i = 0; i < MaxChain && current.SupersededById is { } next; i++)
        {
            if (notes.Get(next) is not { } replacement || ReferenceEquals(replacement, current))
            {
                return null;
            }

            if (replacement.Status == NoteStatus.Active)
            {
                return replacement.ValidTo is { } end && end <= asOf ? null : replacement;
            }

            current = replacement;
        }

        return null;
    }
}
