using MemoryFabric.Conversation;
using MemoryFabric.Notes;

namespace MemoryFabric.Persistence;

/// <summary>The binary encodings of <see cref="Turn"/>, <see cref="Episode"/> and <see cref="Note"/> shared by the
/// snapshot and the journal formats. Every field is kept, so a decoded record equals the encoded one.</summary>
internal static class RecordFormat
{
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
    }

    public static Turn ReadTurn(ref PayloadReader r)
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

        return new Turn(id, session, speaker, role, text, timestamp, sequence, metadata);
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
    }

    public static Note ReadNote(ref PayloadReader r)
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
        var provenance = new NoteProvenance(r.ReadRefs(), r.ReadRefOrNull(), r.ReadRef(), r.ReadRef());
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
            Entities = r.ReadRefs(),
            Importance = r.ReadDouble(),
            Strength = r.ReadDouble(),
            RecallCount = r.ReadVarInt(),
            LastRecalledAt = r.ReadDateTimeOffset(),
            CreatedAt = r.ReadDateTimeOffset(),
            Status = (NoteStatus)r.ReadEnumValue(NoteStatuses, "note status"),
            SupersedesId = r.ReadRefOrNull(),
            SupersededById = r.ReadRefOrNull(),
            SupersedeReason = r.ReadRefOrNull(),
            Links = r.ReadRefs(),
        };
    }

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
