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
    private ParaphraseIndex? _paraphrases; // built when first needed (see Paraphrases)

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
    /// subject and attribute, another value), an add otherwise. A write without an attribute that restates an active
    /// note (<see cref="NoteParaphrase"/>: the same subject, kind and day of the event, every content word of the one
    /// found in the other) is a no-op when it says nothing the note does not, and merges into the note when it adds to
    /// it or to a version merged into it (<see cref="NoteOperation.Merged"/>: a new version with the write's text, or
    /// the note's text followed by the write's, and both notes' source turns).</summary>
    /// <param name="write">The content.</param>
    /// <param name="provenance">Where it came from.</param>
    /// <param name="now">The current time.</param>
    /// <param name="weakBelow">When set, a write whose trust is below it cannot supersede a version whose trust is
    /// not: the weak claim is added beside the trusted one (both active, the conflict visible) instead of silently
    /// replacing it, and the guard's consensus judges it at retrieval. Likewise a weak write never merges into a
    /// trusted note (nor a trusted write into a weak one).</param>
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

        if (write.Attribute is null && Restated(write, provenance, now, weakBelow) is { } restated)
        {
            return restated;
        }

        var id = _newId();
        var note = Create(write, provenance, id, id, 1, now);
        Store(note);
        return new NoteWriteResult(NoteOperation.Added, note);
    }

    /// <summary>Writes a new version of an active note; the previous version becomes superseded.</summary>
    /// <param name="id">The current version id, or a lineage id (see <see cref="RequireCurrent"/>).</param>
    /// <param name="write">The new content.</param>
    /// <param name="provenance">Where the new version came from.</param>
    /// <param name="now">The current time.</param>
    /// <param name="expectedVersion">The version the caller read (its ETag), checked in the same call as the write;
    /// <see langword="null"/> for no check.</param>
    /// <returns>What happened.</returns>
    /// <exception cref="MemoryItemNotFoundException">No note has that id.</exception>
    /// <exception cref="NoteConflictException">The id names a version that is not current, or the current version
    /// is not <paramref name="expectedVersion"/>; nothing is changed.</exception>
    public NoteWriteResult Update(string id, NoteWrite write, NoteProvenance provenance, DateTimeOffset now, int? expectedVersion = null)
    {
        Validate(write);
        var current = RequireCurrent(id, expectedVersion);
        var next = Create(write, provenance, _newId(), current.LineageId, _lineages[current.LineageId].Count + 1, now) with { SupersedesId = current.Id };
        var previous = current with { Status = NoteStatus.Superseded, SupersededById = next.Id, SupersedeReason = "update" };
        Replace(previous);
        Store(next);
        return new NoteWriteResult(NoteOperation.Updated, next, previous);
    }

    /// <summary>Tombstones the current version of a note.</summary>
    /// <param name="id">The current version id, or a lineage id (see <see cref="RequireCurrent"/>).</param>
    /// <param name="now">The current time.</param>
    /// <param name="expectedVersion">The version the caller read (its ETag); <see langword="null"/> for no check.</param>
    /// <returns>What happened.</returns>
    /// <exception cref="MemoryItemNotFoundException">No note has that id.</exception>
    /// <exception cref="NoteConflictException">The id names a version that is not current, or the current version
    /// is not <paramref name="expectedVersion"/>; nothing is changed.</exception>
    public NoteWriteResult Delete(string id, DateTimeOffset now, int? expectedVersion = null)
    {
        var current = RequireCurrent(id, expectedVersion);
        var tombstone = current with { Status = NoteStatus.Deleted, ValidTo = current.ValidTo ?? now };
        Replace(tombstone);
        return new NoteWriteResult(NoteOperation.Deleted, tombstone, current);
    }

    /// <summary>The version that stands for the note <paramref name="id"/> belongs to: its active version, or else
    /// the latest written.</summary>
    /// <param name="id">A version id or a lineage id.</param>
    /// <returns>The version, or <see langword="null"/> when the note is unknown.</returns>
    public Note? CurrentOf(string id)
    {
        var note = Get(id);
        return note is null ? null : Current(_lineages[note.LineageId]);
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

        // A change of state only (strength, recall, links) keeps the version's paraphrase entry: no re-tokenizing.
        var sameText = old.Status == NoteStatus.Active && note.Status == NoteStatus.Active
            && string.Equals(old.Text, note.Text, StringComparison.Ordinal) && string.Equals(old.Subject, note.Subject, StringComparison.Ordinal);
        Unindex(old, paraphrase: !sameText);
        _versions[note.Id] = note;
        Index(note, paraphrase: !sameText);
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

    /// <summary>The active version a write (update, delete) applies to. A version id names that version, and only
    /// while it is active: a superseded, merged, deleted or archived version is refused, naming the current one, so
    /// that a write aimed at an old version never changes a newer one. A lineage id that is no version's id (its first
    /// version was forgotten) names the lineage's current version; so does the lineage id that is also the first
    /// version's id when the caller names the current version (<paramref name="expectedVersion"/>, its ETag).</summary>
    /// <exception cref="MemoryItemNotFoundException">No note has that id.</exception>
    /// <exception cref="NoteConflictException">The id names no active version, or the current version is not
    /// <paramref name="expectedVersion"/>.</exception>
    internal Note RequireCurrent(string id, int? expectedVersion)
    {
        var named = _versions.GetValueOrDefault(id);
        List<string>? lineage = null;
        if (named is null && !_lineages.TryGetValue(id, out lineage))
        {
            throw new MemoryItemNotFoundException($"No note '{id}'.");
        }

        var current = Current(lineage ?? _lineages[named!.LineageId]);
        var target = named switch
        {
            { Status: NoteStatus.Active } => named,
            null => current,
            _ when string.Equals(id, named.LineageId, StringComparison.Ordinal) && expectedVersion == current.Version => current,
            _ => null,
        };
        if (target is not { Status: NoteStatus.Active })
        {
            var state = Name((named ?? current).Status);
            var message = current.Status == NoteStatus.Active
                ? $"Note version '{id}' is {state}; the current version is '{current.Id}' (version {current.Version}). Nothing was changed."
                : $"Note '{id}' is {state}{(current.Id == id ? string.Empty : $"; its latest version '{current.Id}' is {Name(current.Status)}")}. Nothing was changed.";
            throw new NoteConflictException(message, NoteConflictKind.NotCurrent, id, current, expectedVersion);
        }

        if (expectedVersion is { } expected && target.Version != expected)
        {
            throw new NoteConflictException(
                $"Note '{id}' is at version {target.Version} (id '{target.Id}'), not {expected}: it changed since it was read. Nothing was changed.",
                NoteConflictKind.VersionMismatch, id, target, expected);
        }

        return target;
    }

    private static string Name(NoteStatus status) => status.ToString().ToLowerInvariant();

    // A write that restates an active note: a no-op when a note says all it says (the latest such), else a merge into
    // the note it says more than, or into the note whose starting fact it restates and adds to (the note with the most
    // terms covered, its own text first, then the latest). Null when it restates none.
    private NoteWriteResult? Restated(NoteWrite write, NoteProvenance provenance, DateTimeOffset now, double? weakBelow)
    {
        var shape = NoteParaphrase.Shape(write.Subject, write.Text);
        if (shape.Terms.Length == 0)
        {
            return null;
        }

        var index = Paraphrases;
        var weak = IsWeak(provenance.Trust, weakBelow);
        Note? same = null;
        foreach (var id in index.Covering(shape))
        {
            var note = _versions[id];
            // A weak write that a trusted note covers changes nothing; a trusted one is not folded into a weak note.
            if (Compatible(note, write) && (weak || !IsWeak(note.Provenance.Trust, weakBelow)) && (same is null || Later(note, same)))
            {
                same = note;
            }
        }

        if (same is not null)
        {
            return new NoteWriteResult(NoteOperation.NoOp, same);
        }

        (Note Note, int Terms, bool Own)? target = null;
        foreach (var (id, terms, own) in index.CoveredBy(shape))
        {
            var note = _versions[id];
            if (Compatible(note, write) && weak == IsWeak(note.Provenance.Trust, weakBelow)
                && (target is not { } best || own.CompareTo(best.Own) > 0 || (own == best.Own && (terms > best.Terms || (terms == best.Terms && Later(note, best.Note))))))
            {
                target = (note, terms, own);
            }
        }

        if (target is not { } found)
        {
            return null;
        }

        // The write says all the note says (or contradicts what was added to it since): its text stands for both.
        // Else it adds to what the note started from, and the merged text is the note's followed by the write's.
        var text = found.Own || NoteParaphrase.Clash(shape, index.ShapeOf(found.Note.Id))
            ? write.Text.Trim()
            : Join(found.Note.Text, write.Text);
        return text.Length > MaxMergedTextLength ? null : Merge(found.Note, write with { Text = text }, provenance, now);
    }

    /// <summary>The longest text a merge writes (the default <c>AgentMemoryOptions.MaxNoteTextLength</c>); a merge
    /// that would exceed it adds the write as a note of its own instead.</summary>
    private const int MaxMergedTextLength = 4_000;

    private static string Join(string first, string second)
    {
        var head = first.Trim();
        return head.Length > 0 && head[^1] is '.' or '!' or '?' ? head + " " + second.Trim() : head + ". " + second.Trim();
    }

    // The merged note: a new version of the note with the merged text, the note's identity (kind, subject, attribute
    // and value) and both sources; the note is kept as superseded ("merge").
    private NoteWriteResult Merge(Note current, NoteWrite write, NoteProvenance provenance, DateTimeOffset now)
    {
        var turns = current.Provenance.TurnIds.Concat(write.SourceTurnIds).Distinct(StringComparer.Ordinal).ToList();
        var weaker = provenance.Trust < current.Provenance.Trust ? provenance : current.Provenance;
        var merged = provenance with
        {
            TurnIds = turns,
            EpisodeId = current.Provenance.EpisodeId ?? provenance.EpisodeId,
            Source = weaker.Source,
            Trust = weaker.Trust,
        };
        var validFrom = write.ValidFrom ?? now;
        var next = Create(write, merged, _newId(), current.LineageId, _lineages[current.LineageId].Count + 1, now) with
        {
            Kind = current.Kind,
            Subject = current.Subject,
            Attribute = current.Attribute,
            Value = current.Value,
            EventTime = current.EventTime ?? write.EventTime,
            ValidFrom = current.ValidFrom is { } from && from < validFrom ? from : validFrom,
            Entities = current.Entities.Union(write.Entities, StringComparer.OrdinalIgnoreCase).ToList(),
            Importance = Math.Max(current.Importance, Math.Clamp(write.Importance, 0, 1)),
            RecallCount = current.RecallCount,
            Links = current.Links,
            SupersedesId = current.Id,
        };
        var previous = current with { Status = NoteStatus.Superseded, SupersededById = next.Id, SupersedeReason = "merge" };
        Replace(previous);
        Store(next);
        return new NoteWriteResult(NoteOperation.Merged, next, previous);
    }

    // The versions merged into a version, newest first (its merge chain, at most ParaphraseIndex.MaxShapes).
    private IEnumerable<Note> MergedFrom(Note note)
    {
        var id = note.SupersedesId;
        for (var i = 0; i < ParaphraseIndex.MaxShapes && id is not null && _versions.TryGetValue(id, out var previous)
            && string.Equals(previous.SupersedeReason, "merge", StringComparison.Ordinal); i++)
        {
            yield return previous;
            id = previous.SupersedesId;
        }
    }

    // The same kind, and the same day when both say when the event happened.
    private static bool Compatible(Note note, NoteWrite write) =>
        note.Kind == write.Kind
        && (note.EventTime is not { } a || write.EventTime is not { } b || a.UtcDateTime.Date == b.UtcDateTime.Date);

    private static bool IsWeak(double trust, double? weakBelow) => weakBelow is { } threshold && trust < threshold;

    private static bool Later(Note a, Note b) =>
        a.CreatedAt != b.CreatedAt ? a.CreatedAt > b.CreatedAt : string.CompareOrdinal(a.Id, b.Id) > 0;

    // The paraphrase index, built from the active versions the first time a write needs it.
    private ParaphraseIndex Paraphrases
    {
        get
        {
            if (_paraphrases is null)
            {
                _paraphrases = new ParaphraseIndex();
                foreach (var note in Active)
                {
                    _paraphrases.Add(note, MergedFrom(note));
                }
            }

            return _paraphrases;
        }
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

    private void Index(Note note, bool paraphrase = true)
    {
        if (note.Status != NoteStatus.Active)
        {
            return;
        }

        if (paraphrase)
        {
            _paraphrases?.Add(note, MergedFrom(note));
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

    private void Unindex(Note note, bool paraphrase = true)
    {
        if (paraphrase)
        {
            _paraphrases?.Remove(note.Id);
        }

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
