namespace MemoryFabric.Notes;

/// <summary>
/// The active notes by subject and term key, for <see cref="NoteStore.Add"/> to find the notes a write restates
/// (<see cref="NoteParaphrase"/>) without comparing it with every note of its subject. Each active version is indexed
/// with its own shape and the shapes of the versions merged into it (its merge chain), so that a write restating the
/// fact a note started from still finds the note after merges made its text longer. Derived state: built from the
/// active versions when first needed (never stored in a snapshot) and kept up to date by the store after that.
/// </summary>
internal sealed class ParaphraseIndex
{
    /// <summary>The most shapes of a merge chain kept per note (its own first).</summary>
    public const int MaxShapes = 16;

    private readonly Dictionary<string, NoteShape[]> _shapes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _postings = new(StringComparer.Ordinal);

    /// <summary>Adds an active version with the versions merged into it, newest first.</summary>
    /// <param name="note">The version.</param>
    /// <param name="mergedFrom">Its merge chain.</param>
    public void Add(Note note, IEnumerable<Note> mergedFrom)
    {
        var shapes = mergedFrom.Prepend(note).Take(MaxShapes).Select(n => NoteParaphrase.Shape(n.Subject, n.Text)).ToArray();
        _shapes[note.Id] = shapes;
        foreach (var key in Keys(shapes))
        {
            if (!_postings.TryGetValue(key, out var ids))
            {
                ids = new HashSet<string>(StringComparer.Ordinal);
                _postings[key] = ids;
            }

            ids.Add(note.Id);
        }
    }

    /// <summary>Removes a version (no-op when it is not indexed).</summary>
    /// <param name="noteId">The version id.</param>
    public void Remove(string noteId)
    {
        if (!_shapes.Remove(noteId, out var shapes))
        {
            return;
        }

        foreach (var key in Keys(shapes))
        {
            if (_postings.TryGetValue(key, out var ids) && ids.Remove(noteId) && ids.Count == 0)
            {
                _postings.Remove(key);
            }
        }
    }

    /// <summary>The indexed versions whose text covers <paramref name="write"/> (says all it says).</summary>
    /// <param name="write">The shape of the write.</param>
    /// <returns>Their ids.</returns>
    public IEnumerable<string> Covering(NoteShape write)
    {
        if (write.Terms.Length == 0)
        {
            yield break;
        }

        // A covering note has a term matching each of the write's terms, so it is in every one of their postings:
        // the smallest list holds every candidate.
        HashSet<string>? smallest = null;
        foreach (var key in Keys([write]))
        {
            if (!_postings.TryGetValue(key, out var ids))
            {
                yield break;
            }

            if (smallest is null || ids.Count < smallest.Count)
            {
                smallest = ids;
            }
        }

        foreach (var id in smallest!)
        {
            if (NoteParaphrase.Covers(_shapes[id][0], write))
            {
                yield return id;
            }
        }
    }

    /// <summary>The indexed versions that <paramref name="write"/> covers: their text, or the text of a version merged
    /// into them (the write then restates what the note started from).</summary>
    /// <param name="write">The shape of the write.</param>
    /// <returns>Each version's id, the number of terms of the largest shape covered, and whether that is the version's
    /// own text.</returns>
    public IEnumerable<(string Id, int Terms, bool Own)> CoveredBy(NoteShape write)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in Keys([write]))
        {
            if (!_postings.TryGetValue(key, out var ids))
            {
                continue;
            }

            foreach (var id in ids)
            {
                if (!seen.Add(id))
                {
                    continue;
                }

                var shapes = _shapes[id];
                if (NoteParaphrase.Covers(write, shapes[0]))
                {
                    yield return (id, shapes[0].Terms.Length, true);
                    continue;
                }

                var covered = shapes.Skip(1).Where(s => NoteParaphrase.Covers(write, s)).Select(s => s.Terms.Length).DefaultIfEmpty(0).Max();
                if (covered > 0)
                {
                    yield return (id, covered, false);
                }
            }
        }
    }

    /// <summary>The shape of an indexed version's own text.</summary>
    /// <param name="noteId">The version id.</param>
    /// <returns>The shape.</returns>
    public NoteShape ShapeOf(string noteId) => _shapes[noteId][0];

    private static IEnumerable<string> Keys(IEnumerable<NoteShape> shapes) =>
        shapes.SelectMany(s => s.Terms.Select(t => s.Subject + "\u0001" + NoteParaphrase.Key(t))).Distinct(StringComparer.Ordinal);
}
