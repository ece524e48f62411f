using MemoryFabric.Conversation;
using MemoryFabric.Guard;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Persistence;

/// <summary>The binary encodings of <see cref="Turn"/>, <see cref="Episode"/> and <see cref="Note"/> shared by the
/// snapshot and the journal formats. Every field is kept, so a decoded record equals the encoded one.</summary>
/// <remarks>Layout 2 adds the provenance kind and trust of turns and notes (after the fields of layout 1) and the
/// guard's records; layout 1 records are read with the defaults (the source derived from the role).</remarks>
internal static class RecordFormat
{
    /// <summary>The record layout this build writes.</summary>
    public const int Layout = 2;

    private const int SourceKinds = 6;
    private const int ItemKinds = 3;
    private const int QuarantineStatuses = 3;

    private const int TurnRoles = 4;
    private const int NoteKinds = 6;
    private const int NoteStatuses = 4;

    public static void WriteTurn(PayloadWriter w, Turn turn)
    {
        w.WriteRef(turn.Id);
        w.WriteRef(turn.SessionId);
        w.WriteRef(turn.Speaker);
        w.WriteByte((byte)turn.Role);
        w.WriteString(turn.Text);
        w.WriteDateTimeOffset(turn.Timestamp);
        w.WriteVarLong(turn.Sequence);
        var metadata = turn.Metadata;
        w.WriteCount(metadata?.Count ?? 0);
        if (metadata is not null)
        {
            foreach (var (key, value) in metadata)
            {
                w.WriteRef(key);
                w.WriteString(value);
            }
        }

        WriteProvenance(w, turn.Source, turn.Trust);
    }

    // One byte when the trust is the source's default (the source kind, high bit set), else the kind and the trust.
    private static void WriteProvenance(PayloadWriter w, SourceKind source, double trust)
    {
        if (trust.Equals(SourceTrust.DefaultTrust(source)))
        {
            w.WriteByte((byte)(0x80 | (byte)source));
            return;
        }

        w.WriteByte((byte)source);
        w.WriteDouble(trust);
    }

    // What and id name the record in an error (formatted only then: this runs for every turn and note).
    private static (SourceKind Source, double Trust) ReadProvenance(ref PayloadReader r, string what, string id)
    {
        var value = r.ReadByte();
        var source = value & 0x7F;
        if (source >= SourceKinds)
        {
            throw r.Error($"{what} '{id}' has unknown source kind {source}");
        }

        var kind = (SourceKind)source;
        if ((value & 0x80) != 0)
        {
            return (kind, SourceTrust.DefaultTrust(kind));
        }

        var trust = r.ReadDouble();
        if (!double.IsFinite(trust) || trust < 0 || trust > 1)
        {
            throw r.Error($"{what} '{id}' has trust {trust}, out of range");
        }

        return (kind, trust);
    }

    public static Turn ReadTurn(ref PayloadReader r, int layout = Layout)
    {
        var id = r.ReadRef();
        var session = r.ReadRef();
        var speaker = r.ReadRef();
        var role = (TurnRole)r.ReadEnumValue(TurnRoles, "turn role");
        var text = r.ReadString();
        var timestamp = r.ReadDateTimeOffset();
        var sequence = r.ReadVarLong();
        var count = r.ReadCount(2);
        var metadata = new Dictionary<string, string>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var key = r.ReadRef();
            if (!metadata.TryAdd(key, r.ReadString()))
            {
                throw r.Error($"turn '{id}' has the metadata key '{key}' twice");
            }
        }

        if (layout < 2)
        {
            var derived = SourceTrust.FromRole(role);
            return new Turn(id, session, speaker, role, text, timestamp, sequence, metadata)
            {
                Source = derived,
                Trust = SourceTrust.DefaultTrust(derived),
            };
        }

        var (source, trust) = ReadProvenance(ref r, "turn", id);
        return new Turn(id, session, speaker, role, text, timestamp, sequence, metadata) { Source = source, Trust = trust };
    }

    public static void WriteEpisode(PayloadWriter w, Episode episode)
    {
        w.WriteRef(episode.Id);
        w.WriteRef(episode.SessionId);
        w.WriteRefs(episode.TurnIds);
        w.WriteDateTimeOffset(episode.Start);
        w.WriteDateTimeOffset(episode.End);
        w.WriteRefs(episode.Participants);
        w.WriteRefs(episode.Keywords);
        w.WriteRefs(episode.Entities);
        w.WriteString(episode.Summary);
        w.WriteRefs(episode.SummaryTurnIds);
        w.WriteRef(episode.BoundaryReason);
    }

    public static Episode ReadEpisode(ref PayloadReader r) => new()
    {
        Id = r.ReadRef(),
        SessionId = r.ReadRef(),
        TurnIds = r.ReadRefs(),
        Start = r.ReadDateTimeOffset(),
        End = r.ReadDateTimeOffset(),
        Participants = r.ReadRefs(),
        Keywords = r.ReadRefs(),
        Entities = r.ReadRefs(),
        Summary = r.ReadString(),
        SummaryTurnIds = r.ReadRefs(),
        BoundaryReason = r.ReadRef(),
    };

    public static void WriteNote(PayloadWriter w, Note note)
    {
        w.WriteRef(note.Id);
        w.WriteRef(note.LineageId);
        w.WriteVarInt(note.Version);
        w.WriteByte((byte)note.Kind);
        w.WriteString(note.Text);
        w.WriteRef(note.Subject);
        w.WriteRef(note.Attribute);
        w.WriteRef(note.Value);
        var flags = (note.EventTime.HasValue ? 1 : 0) | (note.ValidFrom.HasValue ? 2 : 0) | (note.ValidTo.HasValue ? 4 : 0);
        w.WriteByte((byte)flags);
        if (note.EventTime is { } eventTime)
        {
            w.WriteDateTimeOffset(eventTime);
        }

        if (note.ValidFrom is { } validFrom)
        {
            w.WriteDateTimeOffset(validFrom);
        }

        if (note.ValidTo is { } validTo)
        {
            w.WriteDateTimeOffset(validTo);
        }

        w.WriteRefs(note.Provenance.TurnIds);
        w.WriteRef(note.Provenance.EpisodeId);
        w.WriteRef(note.Provenance.Extractor);
        w.WriteRef(note.Provenance.ExtractorVersion);
        w.WriteRefs(note.Entities);
        w.WriteDouble(note.Importance);
        w.WriteDouble(note.Strength);
        w.WriteVarInt(note.RecallCount);
        w.WriteDateTimeOffset(note.LastRecalledAt);
        w.WriteDateTimeOffset(note.CreatedAt);
        w.WriteByte((byte)note.Status);
        w.WriteRef(note.SupersedesId);
        w.WriteRef(note.SupersededById);
        w.WriteRef(note.SupersedeReason);
        w.WriteRefs(note.Links);
        WriteProvenance(w, note.Provenance.Source, note.Provenance.Trust);
    }

    public static Note ReadNote(ref PayloadReader r, int layout = Layout)
    {
        var id = r.ReadRef();
        var lineage = r.ReadRef();
        var version = r.ReadVarInt();
        var kind = (NoteKind)r.ReadEnumValue(NoteKinds, "note kind");
        var text = r.ReadString();
        var subject = r.ReadRef();
        var attribute = r.ReadRefOrNull();
        var value = r.ReadRefOrNull();
        var flags = r.ReadByte();
        if (flags > 7)
        {
            throw r.Error($"note '{id}' has unknown flags {flags}");
        }

        DateTimeOffset? eventTime = (flags & 1) != 0 ? r.ReadDateTimeOffset() : null;
        DateTimeOffset? validFrom = (flags & 2) != 0 ? r.ReadDateTimeOffset() : null;
        DateTimeOffset? validTo = (flags & 4) != 0 ? r.ReadDateTimeOffset() : null;
        var provenanceTurns = r.ReadRefs();
        var provenanceEpisode = r.ReadRefOrNull();
        var extractor = r.ReadRef();
        var extractorVersion = r.ReadRef();
        var entities = r.ReadRefs();
        var importance = r.ReadDouble();
        var strength = r.ReadDouble();
        var recallCount = r.ReadVarInt();
        var lastRecalledAt = r.ReadDateTimeOffset();
        var createdAt = r.ReadDateTimeOffset();
        var status = (NoteStatus)r.ReadEnumValue(NoteStatuses, "note status");
        var supersedesId = r.ReadRefOrNull();
        var supersededById = r.ReadRefOrNull();
        var supersedeReason = r.ReadRefOrNull();
        var links = r.ReadRefs();

        var provenance = new NoteProvenance(provenanceTurns, provenanceEpisode, extractor, extractorVersion);
        if (layout >= 2)
        {
            var (source, trust) = ReadProvenance(ref r, "note", id);
            provenance = provenance with { Source = source, Trust = trust };
        }

        // Built once, when every field is read (layout 1 keeps the provenance defaults).
        return new Note
        {
            Id = id,
            LineageId = lineage,
            Version = version,
            Kind = kind,
            Text = text,
            Subject = subject,
            Attribute = attribute,
            Value = value,
            EventTime = eventTime,
            ValidFrom = validFrom,
            ValidTo = validTo,
            Provenance = provenance,
            Entities = entities,
            Importance = importance,
            Strength = strength,
            RecallCount = recallCount,
            LastRecalledAt = lastRecalledAt,
            CreatedAt = createdAt,
            Status = status,
            SupersedesId = supersedesId,
            SupersededById = supersededById,
            SupersedeReason = supersedeReason,
            Links = links,
        };
    }

    public static void WriteQuarantineEntry(PayloadWriter w, QuarantineEntry entry)
    {
        w.WriteRef(entry.ItemId);
        w.WriteByte((byte)entry.Kind);
        w.WriteString(entry.Text);
        w.WriteString(entry.Reason);
        w.WriteRef(entry.Detector);
        w.WriteDateTimeOffset(entry.DetectedAt);
        w.WriteByte((byte)entry.Status);
        w.WriteRef(entry.LessonId);
        w.WriteBool(entry.ReviewedAt.HasValue);
        if (entry.ReviewedAt is { } reviewed)
        {
            w.WriteDateTimeOffset(reviewed);
        }
    }

    public static QuarantineEntry ReadQuarantineEntry(ref PayloadReader r)
    {
        var itemId = r.ReadRef();
        var kind = (MemoryItemKind)r.ReadEnumValue(ItemKinds, "quarantined item kind");
        var text = r.ReadString();
        var reason = r.ReadString();
        var detector = r.ReadRef();
        var detectedAt = r.ReadDateTimeOffset();
        var status = (QuarantineStatus)r.ReadEnumValue(QuarantineStatuses, "quarantine status");
        var lessonId = r.ReadRefOrNull();
        DateTimeOffset? reviewedAt = r.ReadBool() ? r.ReadDateTimeOffset() : null;
        return new QuarantineEntry(itemId, kind, text, reason, detector, detectedAt, status) { LessonId = lessonId, ReviewedAt = reviewedAt };
    }

    public static void WriteLesson(PayloadWriter w, GuardLesson lesson)
    {
        w.WriteRef(lesson.Id);
        w.WriteRefs(lesson.TriggerSignature);
        w.WriteRef(lesson.ClaimPattern);
        w.WriteString(lesson.Reason);
        w.WriteDateTimeOffset(lesson.CreatedAt);
        w.WriteBool(lesson.Revoked);
        w.WriteRef(lesson.SourceItemId);
    }

    public static GuardLesson ReadLesson(ref PayloadReader r) =>
        new(r.ReadRef(), r.ReadRefs(), r.ReadRefOrNull(), r.ReadString(), r.ReadDateTimeOffset(), r.ReadBool()) { SourceItemId = r.ReadRefOrNull() };

    /// <summary>An optional dense vector: its dimension (0 = none), the embedding model (a shared string) and the
    /// raw little-endian floats.</summary>
    public static void WriteVector(PayloadWriter w, ReadOnlyMemory<float> vector, string? modelId)
    {
        w.WriteCount(vector.Length);
        if (vector.Length > 0)
        {
            w.WriteRef(modelId);
            w.WriteFloats(vector.Span);
        }
    }

    public static (float[]? Vector, string? ModelId) ReadVector(ref PayloadReader r)
    {
        var dimensions = r.ReadCount(sizeof(float));
        if (dimensions == 0)
        {
            return (null, null);
        }

        var model = r.ReadRefOrNull();
        var vector = GC.AllocateUninitializedArray<float>(dimensions);
        r.ReadFloats(vector);
        return (vector, model);
    }
}
