using MemoryFabric.Text;

namespace MemoryFabric.Notes;

/// <summary>
/// The versioned note store of one agent. Notes are never overwritten: an update or a contradicting note writes a
/// new version in the same lineage and marks the previous one superseded (with validity times); a delete leaves a
/// tombstone; only a purge removes anything. Not thread-safe: the owning actor gives it one call at a time.
/// </summary>
public sealed class NoteStore
{
    private readonly Dictionary<string, Note> _versions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _lineages = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _duplicateKeys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _bySubjectAttribute = new(StringComparer.OrdinalIgnoreCase);
    private readonly Func<string> _newId;

    /// <summary>Creates an empty store.</summary>
    /// <param name="newId">Generates version ids; random GUIDs when <see langword="null"/>.</param>
    public NoteStore(Func<string>? newId = null)
    {
        _newId = newId ?? (() => "n_" + Guid.NewGuid().ToString("N"));
    }

    /// <summary>Told of every version stored or replaced (<c>removed</c> false) and of every version purged
    /// (<c>removed</c> true); the agent memory uses it to record its change feed.</summary>
    internal Action<Note, bool>? Observer { get; set; }

    /// <summary>Every stored version.</summary>
    public IEnumerable<Note> All => _versions.Values;

    /// <summary>The active versions.</summary>
    public IEnumerable<Note> Active => _versions.Values.Where(n => n.Status == NoteStatus.Active);

    /// <summary>The number of stored versions.</summary>
    public int Count => _versions.Count;

    /// <summary>Whether a version with this id is stored (lineage ids are not looked up).</summary>
    /// <param name="versionId">The version id.</param>
    /// <returns><see langword="true"/> when stored.</returns>
    public bool ContainsVersion(string versionId) => _versions.ContainsKey(versionId);

    /// <summary>The lineages, each with its version ids in the order they were stored (for snapshots).</summary>
    internal IEnumerable<KeyValuePair<string, List<string>>> Lineages => _lineages;

    /// <summary>The duplicate-detection index: normalized subject and words → the active version holding them.</summary>
    internal IEnumerable<KeyValuePair<string, string>> DuplicateKeyIndex => _duplicateKeys;

    /// <summary>The contradiction-detection index: subject and attribute → active version ids, in order.</summary>
    internal IEnumerable<KeyValuePair<string, List<string>>> SubjectAttributeIndex => _bySubjectAttribute;

    /// <summary>Loads versions, lineages and the derived indexes into an empty store, as a snapshot recorded them
    /// (so nothing is re-tokenized and the store is exactly the one saved).</summary>
    /// <param name="versions">Every version, in the store's enumeration order.</param>
    /// <param name="lineages">Every lineage with its version ids, in order.</param>
    /// <param name="duplicateKeys">The <see cref="DuplicateKeyIndex"/> entries.</param>
    /// <param name="subjectAttributes">The <see cref="SubjectAttributeIndex"/> entries.</param>
    /// <exception cref="InvalidDataException">The lineages, the indexes and the versions do not match.</exception>
    internal void Load(
        IReadOnlyList<Note> versions,
        IReadOnlyList<(string LineageId, List<string> VersionIds)> lineages,
        IReadOnlyList<(string Key, string VersionId)> duplicateKeys,
        IReadOnlyList<(string Key, List<string> VersionIds)> subjectAttributes)
    {
        if (_versions.Count != 0)
        {
            throw new InvalidOperationException("Only an empty note store can be loaded.");
        }

        _versions.EnsureCapacity(versions.Count);
        foreach (var note in versions)
        {
            if (!_versions.TryAdd(note.Id, note))
            {
                throw new InvalidDataException($"Note version '{note.Id}' appears twice.");
            }
        }

        var listed = 0;
        foreach (var (lineageId, ids) in lineages)
        {
            foreach (var id in ids)
            {
                if (!_versions.TryGetValue(id, out var note) || !string.Equals(note.LineageId, lineageId, StringComparison.Ordinal))
                {
                    throw new InvalidDataException($"Lineage '{lineageId}' lists version '{id}', which is not a stored version of it.");
                }
            }

            if (ids.Count == 0 || !_lineages.TryAdd(lineageId, ids))
            {
                throw new InvalidDataException($"Lineage '{lineageId}' is empty or appears twice.");
            }

            listed += ids.Count;
        }

        if (listed != _versions.Count)
        {
            throw new InvalidDataException($"The lineages list {listed} versions; {_versions.Count} are stored.");
        }

        _duplicateKeys.EnsureCapacity(duplicateKeys.Count);
        foreach (var (key, id) in duplicateKeys)
        {
            if (!_versions.ContainsKey(id) || !_duplicateKeys.TryAdd(key, id))
            {
                throw new InvalidDataException($"The duplicate key of version '{id}' names no stored version or appears twice.");
            }
        }

        foreach (var (key, ids) in subjectAttributes)
        {
            if (!ids.TrueForAll(_versions.ContainsKey) || !_bySubjectAttribute.TryAdd(key, ids))
            {
                throw new InvalidDataException($"The attribute key '{key}' names versions that are not stored, or appears twice.");
            }
        }
    }

    /// <summary>Gets a version by id, or the current version of a lineage by lineage id.</summary>
    /// <param name="id">A version id or lineage id.</param>
    /// <returns>The note, or <see langword="null"/>.</returns>
    public Note? Get(string id)
    {
        if (_versions.TryGetValue(id, out var note))
        {
            return note;
        }

        return _lineages.TryGetValue(id, out var lineage) ? Current(lineage) : null;
    }

    /// <summary>Every version of the note that <paramref name="id"/> belongs to, oldest first.</summary>
    /// <param name="id">A version id or lineage id.</param>
    /// <returns>The versions, empty when unknown.</returns>
    public IReadOnlyList<Note> History(string id)
    {
        var note = Get(id);
        return note is null ? [] : _lineages[note.LineageId].Select(v => _versions[v]).ToList();
    }

    /// <summary>Adds a note: a no-op when it duplicates an active note, a supersede when it contradicts one (same
    /// subject and attribute, another value), an add otherwise.</summary>
    /// <param name="write">The content.</param>
    /// <param name="provenance">Where it came from.</param>
    /// <param name="now">The current time.</param>
    /// <param name="weakBelow">When set, a write whose trust is below it cannot supersede a version whose trust is
    /// not: the weak claim is added beside the trusted one (both active, the conflict visible) instead of silently
    /// replacing it, and the guard's consensus judges it at retrieval.</param>
    /// <returns>What happened.</returns>
    public NoteWriteResult Add(NoteWrite write, NoteProvenance provenance, DateTimeOffset now, double? weakBelow = null)
    {
        Validate(write);
        ArgumentNullException.ThrowIfNull(provenance);
        if (_duplicateKeys.TryGetValue(DuplicateKey(write.Subject, write.Text), out var duplicateId)
            && _versions.TryGetValue(duplicateId, out var duplicate) && duplicate.Status == NoteStatus.Active)
        {
            return new NoteWriteResult(NoteOperation.NoOp, duplicate);
        }

        if (write.Attribute is not null && write.Value is not null)
        {
            var existing = ActiveWithAttribute(write.Subject, write.Attribute);
            var same = existing.FirstOrDefault(n => SameValue(n.Value, write.Value));
            if (same is not null)
            {
                return new NoteWriteResult(NoteOperation.NoOp, same);
            }

            // A trusted write supersedes the latest trusted version (a weak claim kept beside it stays for the guard).
            var conflicting = (weakBelow is { } threshold && provenance.Trust >= threshold
                    ? existing.Where(n => n.Provenance.Trust >= threshold).OrderByDescending(n => n.ValidFrom).FirstOrDefault()
                    : null)
                ?? existing.OrderByDescending(n => n.ValidFrom).FirstOrDefault();
            if (conflicting is not null
                && !(weakBelow is { } weak && provenance.Trust < weak && existing.Any(n => n.Provenance.Trust >= weak)))
            {
                return Supersede(conflicting, write, provenance, now);
            }
        }

        var id = _newId();
        var note = Create(write, provenance, id, id, 1, now);
        Store(note);
        return new NoteWriteResult(NoteOperation.Added, note);
    }

    /// <summary>Writes a new version of an active note; the previous version becomes superseded.</summary>
    /// <param name="id">The current version id or the lineage id.</param>
    /// <param name="write">The new content.</param>
    /// <param name="provenance">Where the new version came from.</param>
    /// <param name="now">The current time.</param>
    /// <returns>What happened.</returns>
    /// <exception cref="MemoryItemNotFoundException">No active note has that id.</exception>
    public NoteWriteResult Update(string id, NoteWrite write, NoteProvenance provenance, DateTimeOffset now)
    {
        Validate(write);
        var current = RequireActive(id);
        var next = Create(write, provenance, _newId(), current.LineageId, _lineages[current.LineageId].Count + 1, now) with { SupersedesId = current.Id };
        var previous = current with { Status = NoteStatus.Superseded, SupersededById = next.Id, SupersedeReason = "update" };
        Replace(previous);
        Store(next);
        return new NoteWriteResult(NoteOperation.Updated, next, previous);
    }

    /// <summary>Tombstones the current version of a note.</summary>
    /// <param name="id">The current version id or the lineage id.</param>
    /// <param name="now">The current time.</param>
    /// <returns>What happened.</returns>
    /// <exception cref="MemoryItemNotFoundException">No active note has that id.</exception>
    public NoteWriteResult Delete(string id, DateTimeOffset now)
    {
        var current = RequireActive(id);
        var tombstone = current with { Status = NoteStatus.Deleted, ValidTo = current.ValidTo ?? now };
        Replace(tombstone);
        return new NoteWriteResult(NoteOperation.Deleted, tombstone, current);
    }

    /// <summary>Removes every version of a note for good.</summary>
    /// <param name="id">A version id or the lineage id.</param>
    /// <returns>The removed versions.</returns>
    public IReadOnlyList<Note> Purge(string id)
    {
        var note = Get(id);
        if (note is null)
        {
            return [];
        }

        var removed = new List<Note>();
        foreach (var versionId in _lineages[note.LineageId])
        {
            var version = _versions[versionId];
            removed.Add(version);
            _versions.Remove(versionId);
            Unindex(version);
        }

        _lineages.Remove(note.LineageId);
        foreach (var version in removed)
        {
            Observer?.Invoke(version, true);
        }

        return removed;
    }

    /// <summary>Replaces a stored version's mutable state (strength, recall, status, links) in place.</summary>
    /// <param name="note">The version, with the same id as a stored one.</param>
    /// <exception cref="KeyNotFoundException">No version has that id.</exception>
    public void Replace(Note note)
    {
        ArgumentNullException.ThrowIfNull(note);
        if (!_versions.TryGetValue(note.Id, out var old))
        {
            throw new KeyNotFoundException($"No note version '{note.Id}'.");
        }

        Unindex(old);
        _versions[note.Id] = note;
        Index(note);
        Observer?.Invoke(note, false);
    }

    /// <summary>Restores a version as it was (used when loading state); it must not exist yet.</summary>
    /// <param name="note">The version.</param>
    public void Restore(Note note)
    {
        ArgumentNullException.ThrowIfNull(note);
        Store(note);
    }

    private NoteWriteResult Supersede(Note current, NoteWrite write, NoteProvenance provenance, DateTimeOffset now)
    {
        var validFrom = write.ValidFrom ?? now;
        var next = Create(write, provenance, _newId(), current.LineageId, _lineages[current.LineageId].Count + 1, now);
        if (current.ValidFrom is { } currentFrom && validFrom < currentFrom)
        {
            // The contradicting statement is older than the current one (out-of-order ingest): it enters the
            // history as already superseded, and the current version stays. Saying it again changes nothing.
            if (History(current.LineageId).Any(v => v.Status == NoteStatus.Superseded && SameValue(v.Value, write.Value) && v.ValidFrom == validFrom))
            {
                return new NoteWriteResult(NoteOperation.NoOp, current);
            }

            var historical = next with
            {
                Status = NoteStatus.Superseded,
                ValidTo = currentFrom,
                SupersededById = current.Id,
                SupersedeReason = "contradiction",
            };
            Store(historical);
            return new NoteWriteResult(NoteOperation.NoOp, current);
        }

        next = next with { SupersedesId = current.Id };
        var previous = current with
        {
            Status = NoteStatus.Superseded,
            ValidTo = validFrom,
            SupersededById = next.Id,
            SupersedeReason = "contradiction",
        };
        Replace(previous);
        Store(next);
        return new NoteWriteResult(NoteOperation.Superseded, next, previous);
    }

    internal static Note Create(NoteWrite write, NoteProvenance provenance, string id, string lineage, int version, DateTimeOffset now) => new()
    {
        Id = id,
        LineageId = lineage,
        Version = version,
        Kind = write.Kind,
        Text = write.Text.Trim(),
        Subject = write.Subject.Trim(),
        Attribute = write.Attribute,
        Value = write.Value,
        EventTime = write.EventTime,
        ValidFrom = write.ValidFrom ?? now,
        Provenance = provenance,
        Entities = write.Entities,
        Importance = Math.Clamp(write.Importance, 0, 1),
        Strength = 1.0,
        LastRecalledAt = now,
        CreatedAt = now,
    };

    // The version that stands for a lineage: the active one, or else the latest written.
    private Note Current(List<string> lineage)
    {
        var versions = lineage.Select(v => _versions[v]).ToList();
        return versions.FirstOrDefault(v => v.Status == NoteStatus.Active) ?? versions[^1];
    }

    private Note RequireActive(string id)
    {
        // A lineage id (its first version's id) names the lineage's current version.
        var note = _lineages.TryGetValue(id, out var versions) ? Current(versions) : Get(id);
        if (note is null || note.Status != NoteStatus.Active)
        {
            if (note is not null && _lineages.TryGetValue(note.LineageId, out var lineage))
            {
                var current = Current(lineage);
                if (current.Status == NoteStatus.Active && current.Id != note.Id)
                {
                    throw new MemoryItemNotFoundException($"Note version '{id}' is {note.Status.ToString().ToLowerInvariant()}; the current version is '{current.Id}'.");
                }
            }

            throw new MemoryItemNotFoundException(note is null ? $"No note '{id}'." : $"Note '{id}' is {note.Status.ToString().ToLowerInvariant()}.");
        }

        return note;
    }

    private List<Note> ActiveWithAttribute(string subject, string attribute) =>
        _bySubjectAttribute.TryGetValue(SubjectAttributeKey(subject, attribute), out var ids)
            ? ids.Select(i => _versions[i]).Where(n => n.Status == NoteStatus.Active).ToList()
            : [];

    private void Store(Note note)
    {
        if (!_versions.TryAdd(note.Id, note))
        {
            throw new InvalidOperationException($"Note version '{note.Id}' already exists.");
        }

        if (!_lineages.TryGetValue(note.LineageId, out var lineage))
        {
            lineage = [];
            _lineages[note.LineageId] = lineage;
        }

        lineage.Add(note.Id);
        Index(note);
        Observer?.Invoke(note, false);
    }

    private void Index(Note note)
    {
        if (note.Status != NoteStatus.Active)
        {
            return;
        }

        _duplicateKeys[DuplicateKey(note.Subject, note.Text)] = note.Id;
        if (note.Attribute is not null)
        {
            var key = SubjectAttributeKey(note.Subject, note.Attribute);
            if (!_bySubjectAttribute.TryGetValue(key, out var ids))
            {
                ids = [];
                _bySubjectAttribute[key] = ids;
            }

            ids.Add(note.Id);
        }
    }

    private void Unindex(Note note)
    {
        var key = DuplicateKey(note.Subject, note.Text);
        if (_duplicateKeys.TryGetValue(key, out var id) && id == note.Id)
        {
            _duplicateKeys.Remove(key);
        }

        if (note.Attribute is not null && _bySubjectAttribute.TryGetValue(SubjectAttributeKey(note.Subject, note.Attribute), out var ids))
        {
            ids.Remove(note.Id);
        }
    }

    private static void Validate(NoteWrite write)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (string.IsNullOrWhiteSpace(write.Text))
        {
            throw new MemoryInputException("A note needs a non-blank text.", nameof(write));
        }

        if (string.IsNullOrWhiteSpace(write.Subject))
        {
            throw new MemoryInputException("A note needs a non-blank subject.", nameof(write));
        }

        if (write.Attribute is not null != write.Value is not null)
        {
            throw new MemoryInputException("A note's attribute and value go together: give both or neither.", nameof(write));
        }
    }

    // The same words (order aside) about the same subject are a duplicate.
    private static string DuplicateKey(string subject, string text) =>
        subject.Trim().ToLowerInvariant() + "|" + string.Join(' ', TextAnalyzer.Words(text).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));

    private static string SubjectAttributeKey(string subject, string attribute) => subject.Trim() + "|" + attribute.Trim();

    private static bool SameValue(string? a, string? b) =>
        string.Equals(string.Join(' ', TextAnalyzer.Words(a)), string.Join(' ', TextAnalyzer.Words(b)), StringComparison.Ordinal);
}
