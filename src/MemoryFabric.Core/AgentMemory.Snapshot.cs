using System.Buffers;
using System.Buffers.Binary;
using MemoryFabric.Conversation;
using MemoryFabric.Notes;
using MemoryFabric.Persistence;
using MemoryFabric.Retrieval;

namespace MemoryFabric;

// Binary snapshots of the whole state, indexes included, so that a restore neither tokenizes nor embeds.
public sealed partial class AgentMemory
{
    /// <summary>The snapshot format version this build writes. Version 2 added provenance (source kind and trust)
    /// to turns and notes and the guard section (quarantine and lessons); version 3 stores the dense vectors as int8
    /// with a per-vector scale (a quarter of the bytes; float32 for a level with a non-finite component); version 4
    /// adds the guard's testimony verdicts (the flagged turns, when its ledger was current), so that a restored agent's
    /// first search need not rebuild them; version 5 adds the offloaded turns (a large agent's turns whose vectors only
    /// the tenant's vector shards hold). Versions 1 to 4 are still read.</summary>
    public const ushort SnapshotFormatVersion = 5;

    private const int SnapshotHeaderLength = 24;

    // Header flag: the two checksums are the standard CRC-32C. Snapshots without it (written before) were checksummed
    // with LegacyLaneChecksum and are verified with it.
    private const ushort SnapshotCrc32CFlag = 0x0001;
    private const string SnapshotName = "AgentMemory snapshot";

    private enum SnapshotSection : byte
    {
        Meta = 1,
        Turns,
        Sessions,
        DirtySessions,
        Episodes,
        SessionEpisodes,
        ExtractedEpisodes,
        TurnEpisodes,
        Notes,
        Lineages,
        NoteKeys,
        Pending,
        Lexical,
        Dense,
        Guard,
        OffloadedVectors,
        End = 0xFF,
    }

    /// <summary>
    /// Captures the whole state in a binary snapshot that <see cref="RestoreSnapshot"/> loads into a fresh memory.
    /// </summary>
    /// <returns>The snapshot.</returns>
    /// <remarks>
    /// <para>Covered: turns (every field), session order, dirty sessions, episodes and their sessions, extracted
    /// episodes, the turn-to-episode map, every note version with its lineage order and the note store's duplicate and
    /// contradiction keys, participants, the sequence
    /// counter, the pending-embedding queue, the BM25 indexes (documents, lengths and postings, so a restore does not
    /// tokenize) and the dense vectors of every indexed item (int8 with a per-vector scale, with the embedding model
    /// and dimension: a restored vector's cosine to the original is above 0.999), and the offloaded turns (ids only:
    /// their vectors live in the external index). Not covered: the change feed
    /// (drain it first) and caches.</para>
    /// <para>Layout: a 24-byte header (magic "MFAM", format version as uint16, flags uint16, payload length int64,
    /// CRC-32C of the payload, CRC-32C of the header's first 20 bytes), then the payload's sections in a fixed order,
    /// each opened by a tag byte. Flag 1 says the checksums are the standard CRC-32C; snapshots written before it
    /// existed carry the legacy lane-folded checksum instead and are still read.</para>
    /// </remarks>
    public byte[] CreateSnapshot() => BuildSnapshot().ToArray();

    /// <summary>Writes a snapshot (see <see cref="CreateSnapshot"/>) to a stream.</summary>
    /// <param name="destination">The stream.</param>
    public void WriteSnapshot(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.Write(BuildSnapshot().Written);
    }

    /// <summary>Writes a snapshot (see <see cref="CreateSnapshot"/>) to a buffer writer.</summary>
    /// <param name="destination">The buffer writer.</param>
    public void WriteSnapshot(IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.Write(BuildSnapshot().Written);
    }

    /// <summary>
    /// Loads a snapshot written by <see cref="CreateSnapshot"/> into this memory, which must be fresh (nothing
    /// stored). The embedder is not called: vectors are loaded as stored. When the snapshot's embedding model or
    /// dimension differs from this memory's embedder, the vectors are dropped and every item they belonged to is
    /// queued for <see cref="EmbedPendingAsync"/>.
    /// </summary>
    /// <param name="snapshot">The snapshot.</param>
    /// <remarks>The BM25 indexes are kept as stored too (<see cref="Retrieval.LexicalIndexes"/>) and built by the first
    /// call that uses one (a search, a write, a forget, a snapshot); a restore only walks over their section. The dense
    /// vectors are kept encoded as stored and decoded by the first call that needs them (a search
    /// with a dense signal, a write that embeds, a snapshot after such a change): a restore followed by reads that
    /// need no dense search, or by lexical-only work, never pays for them. At that first use the dense indexes are
    /// rebuilt from the vectors; a level at or above <see cref="RetrievalOptions.ApproximateSearchThreshold"/>
    /// builds its HNSW graph then, which costs far more than loading exact-search levels.</remarks>
    /// <exception cref="InvalidOperationException">The memory is not empty.</exception>
    /// <exception cref="InvalidDataException">The data is not a snapshot, is of an unknown format version, is
    /// truncated or corrupt; the message says which. The memory stays empty.</exception>
    public void RestoreSnapshot(ReadOnlySpan<byte> snapshot)
    {
        if (_turns.Count != 0 || _sessions.Count != 0 || _episodes.Count != 0 || _notes.Count != 0 || _pending.Count != 0
            || _participants.Count != 0 || _changes.Count != 0 || TurnLexical.Count != 0 || NoteLexical.Count != 0
            || EpisodeLexical.Count != 0 || _turnDense.Count != 0 || _noteDense.Count != 0 || _episodeDense.Count != 0
            || _quarantine.Count != 0 || _lessons.Count != 0 || _offloaded.Count != 0)
        {
            throw new InvalidOperationException("A snapshot can only be restored into a fresh, empty AgentMemory.");
        }

        var payload = SnapshotPayload(snapshot, out var version);
        var reader = new PayloadReader(payload, SnapshotName);
        var state = ReadSnapshot(ref reader, payload, version);
        LoadSnapshot(state);
    }

    private PayloadWriter BuildSnapshot()
    {
        var w = new PayloadWriter(EstimateSnapshotSize());
        w.Reserve(SnapshotHeaderLength);
        WriteSnapshotPayload(w);

        var all = w.WrittenSpan;
        var header = all[..SnapshotHeaderLength];
        var payload = all[SnapshotHeaderLength..];
        "MFAM"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], SnapshotFormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], SnapshotCrc32CFlag);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], RecordChecksum.Crc32C(payload));
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], RecordChecksum.Crc32C(header[..20]));
        return w;
    }

    private int EstimateSnapshotSize()
    {
        long size = 64 * 1024;
        foreach (var turn in _turns.Values)
        {
            size += 96 + turn.Text.Length;
        }

        size += (_episodes.Count * 768L) + (_notes.Count * 384L);
        var dimensions = _embedderDimensions ?? Math.Max(_turnDense.Dimensions, Math.Max(_noteDense.Dimensions, _episodeDense.Dimensions));
        size += ((long)_turnDense.Count + _episodeDense.Count + _noteDense.Count) * (VectorCodec.RecordLength(VectorEncoding.Int8, dimensions) + 4);
        return (int)Math.Min(size, Array.MaxLength);
    }

    private void WriteSnapshotPayload(PayloadWriter w)
    {
        var dimensions = 0;
        foreach (var index in (ReadOnlySpan<TieredVectorIndex>)[_turnDense, _episodeDense, _noteDense])
        {
            if (index.Dimensions != 0 && dimensions != 0 && index.Dimensions != dimensions)
            {
                throw new InvalidOperationException($"The dense indexes hold vectors of {dimensions} and {index.Dimensions} dimensions.");
            }

            dimensions = Math.Max(dimensions, index.Dimensions);
        }

        if (dimensions == 0)
        {
            dimensions = _offloaded.Dimensions; // every vector offloaded: the restore still checks them against its embedder
        }

        w.WriteByte((byte)SnapshotSection.Meta);
        w.WriteVarLong(_sequence);
        w.WriteRefs(_participants);
        w.WriteRef(_embedderModelId);
        w.WriteCount(dimensions);

        w.WriteByte((byte)SnapshotSection.Turns);
        w.WriteCount(_turns.Count);
        foreach (var turn in _turns.Values)
        {
            RecordFormat.WriteTurn(w, turn);
        }

        w.WriteByte((byte)SnapshotSection.Sessions);
        w.WriteCount(_sessions.Count);
        foreach (var (sessionId, turns) in _sessions)
        {
            w.WriteRef(sessionId);
            w.WriteCount(turns.Count);
            foreach (var turn in turns)
            {
                w.WriteRef(turn.Id);
            }
        }

        w.WriteByte((byte)SnapshotSection.DirtySessions);
        w.WriteRefs(_dirtySessions.ToList());

        w.WriteByte((byte)SnapshotSection.Episodes);
        w.WriteCount(_episodes.Count);
        foreach (var episode in _episodes.Values)
        {
            RecordFormat.WriteEpisode(w, episode);
        }

        w.WriteByte((byte)SnapshotSection.SessionEpisodes);
        w.WriteCount(_sessionEpisodes.Count);
        foreach (var (sessionId, episodeIds) in _sessionEpisodes)
        {
            w.WriteRef(sessionId);
            w.WriteRefs(episodeIds);
        }

        w.WriteByte((byte)SnapshotSection.ExtractedEpisodes);
        w.WriteCount(_extractedEpisodes.Count);
        foreach (var key in _extractedEpisodes)
        {
            w.WriteString(key);
        }

        w.WriteByte((byte)SnapshotSection.TurnEpisodes);
        w.WriteCount(_turnEpisode.Count);
        foreach (var (turnId, episodeId) in _turnEpisode)
        {
            w.WriteRef(turnId);
            w.WriteRef(episodeId);
        }

        w.WriteByte((byte)SnapshotSection.Notes);
        w.WriteCount(_notes.Count);
        foreach (var note in _notes.All)
        {
            RecordFormat.WriteNote(w, note);
        }

        w.WriteByte((byte)SnapshotSection.Lineages);
        var lineages = _notes.Lineages.ToList();
        w.WriteCount(lineages.Count);
        foreach (var (lineageId, versionIds) in lineages)
        {
            w.WriteRef(lineageId);
            w.WriteRefs(versionIds);
        }

        w.WriteByte((byte)SnapshotSection.NoteKeys);
        var duplicateKeys = _notes.DuplicateKeyIndex.ToList();
        w.WriteCount(duplicateKeys.Count);
        foreach (var (key, id) in duplicateKeys)
        {
            w.WriteString(key);
            w.WriteRef(id);
        }

        var attributeKeys = _notes.SubjectAttributeIndex.ToList();
        w.WriteCount(attributeKeys.Count);
        foreach (var (key, ids) in attributeKeys)
        {
            w.WriteString(key);
            w.WriteRefs(ids);
        }

        w.WriteByte((byte)SnapshotSection.Pending);
        var pending = PendingInOrder();
        w.WriteCount(pending.Count);
        foreach (var item in pending)
        {
            w.WriteByte((byte)item.Kind);
            w.WriteRef(item.Id);
        }

        w.WriteByte((byte)SnapshotSection.Lexical);
        DeferredLexicalSection.Write(w, TurnLexical);
        DeferredLexicalSection.Write(w, EpisodeLexical);
        DeferredLexicalSection.Write(w, NoteLexical);

        w.WriteByte((byte)SnapshotSection.Dense);
        DenseSnapshotSection.Write(w, _turnDense, dimensions);
        DenseSnapshotSection.Write(w, _episodeDense, dimensions);
        DenseSnapshotSection.Write(w, _noteDense, dimensions);

        w.WriteByte((byte)SnapshotSection.Guard);
        WriteGuard(w);

        w.WriteByte((byte)SnapshotSection.OffloadedVectors);
        w.WriteRefs(_offloaded.Ids.ToList());

        w.WriteByte((byte)SnapshotSection.End);
    }

    private static ReadOnlySpan<byte> SnapshotPayload(ReadOnlySpan<byte> snapshot, out int version)
    {
        if (snapshot.Length < SnapshotHeaderLength)
        {
            throw new InvalidDataException($"{SnapshotName} is truncated: {snapshot.Length} bytes, the header alone takes {SnapshotHeaderLength}.");
        }

        if (!snapshot[..4].SequenceEqual("MFAM"u8))
        {
            throw new InvalidDataException($"Not an {SnapshotName}: the data does not start with the magic \"MFAM\".");
        }

        version = BinaryPrimitives.ReadUInt16LittleEndian(snapshot[4..]);
        if (version > SnapshotFormatVersion)
        {
            throw new Persistence.UnsupportedFormatException(SnapshotName, version, SnapshotFormatVersion).AsInvalidData();
        }

        if (version == 0)
        {
            throw new InvalidDataException($"{SnapshotName} has format version 0, which no build writes: the data is damaged.");
        }

        // The flags say which checksum the header carries; they are covered by it, so a flipped flag is caught too.
        var flags = BinaryPrimitives.ReadUInt16LittleEndian(snapshot[6..]);
        var legacy = (flags & SnapshotCrc32CFlag) == 0;
        var headerCrc = BinaryPrimitives.ReadUInt32LittleEndian(snapshot[20..]);
        if (headerCrc != RecordChecksum.Compute(snapshot[..20], legacy))
        {
            throw new InvalidDataException($"{SnapshotName} is corrupt: the header checksum does not match.");
        }

        if ((flags & ~SnapshotCrc32CFlag) != 0)
        {
            throw new InvalidDataException($"{SnapshotName} has unknown flags 0x{flags:X4}.");
        }

        var length = BinaryPrimitives.ReadInt64LittleEndian(snapshot[8..]);
        var actual = snapshot.Length - SnapshotHeaderLength;
        if (length != actual)
        {
            throw new InvalidDataException(length > actual
                ? $"{SnapshotName} is truncated: the header announces {length} payload bytes, {actual} follow."
                : $"{SnapshotName} has {actual - length} trailing bytes after the {length} payload bytes the header announces.");
        }

        var payload = snapshot[SnapshotHeaderLength..];
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(snapshot[16..]);
        var computed = RecordChecksum.Compute(payload, legacy);
        if (stored != computed)
        {
            throw new InvalidDataException($"{SnapshotName} is corrupt: the payload checksum does not match (stored 0x{stored:X8}, computed 0x{computed:X8}).");
        }

        return payload;
    }

    private SnapshotState ReadSnapshot(ref PayloadReader r, ReadOnlySpan<byte> payload, int version)
    {
        var s = new SnapshotState();

        Expect(ref r, SnapshotSection.Meta, "meta");
        s.Sequence = r.ReadVarLong();
        s.Participants = [.. r.ReadRefs()];
        var modelId = r.ReadRefOrNull();
        var dimensions = r.ReadCount(0);
        s.Dimensions = dimensions;
        s.DropVectors = dimensions != 0
            && ((modelId is not null && _embedderModelId is not null && !string.Equals(modelId, _embedderModelId, StringComparison.Ordinal))
                || (_embedderDimensions is { } expected && expected != dimensions));
        s.UnverifiedDimensions = !s.DropVectors && _embedderDimensions is null ? dimensions : 0;

        Expect(ref r, SnapshotSection.Turns, "turns");
        var turnCount = r.ReadCount(16);
        s.Turns = new Dictionary<string, Turn>(turnCount, StringComparer.Ordinal);
        for (var i = 0; i < turnCount; i++)
        {
            var turn = RecordFormat.ReadTurn(ref r, version);
            if (!s.Turns.TryAdd(turn.Id, turn))
            {
                throw r.Error($"turn '{turn.Id}' appears twice");
            }
        }

        Expect(ref r, SnapshotSection.Sessions, "sessions");
        var sessionCount = r.ReadCount(2);
        var listed = 0;
        for (var i = 0; i < sessionCount; i++)
        {
            var sessionId = r.ReadRef();
            var count = r.ReadCount(1);
            var turns = new List<Turn>(count);
            for (var j = 0; j < count; j++)
            {
                var id = r.ReadRef();
                if (!s.Turns.TryGetValue(id, out var turn) || !string.Equals(turn.SessionId, sessionId, StringComparison.Ordinal))
                {
                    throw r.Error($"session '{sessionId}' lists turn '{id}', which is not a stored turn of it");
                }

                turns.Add(turn);
            }

            if (count == 0 || !s.Sessions.TryAdd(sessionId, turns))
            {
                throw r.Error($"session '{sessionId}' is empty or appears twice");
            }

            listed += count;
        }

        if (listed != s.Turns.Count)
        {
            throw r.Error($"the sessions list {listed} turns; {s.Turns.Count} are stored");
        }

        Expect(ref r, SnapshotSection.DirtySessions, "dirty sessions");
        s.DirtySessions = [.. r.ReadRefs()];
        foreach (var sessionId in s.DirtySessions)
        {
            if (!s.Sessions.ContainsKey(sessionId))
            {
                throw r.Error($"dirty session '{sessionId}' does not exist");
            }
        }

        Expect(ref r, SnapshotSection.Episodes, "episodes");
        var episodeCount = r.ReadCount(16);
        for (var i = 0; i < episodeCount; i++)
        {
            var episode = RecordFormat.ReadEpisode(ref r);
            if (!s.Episodes.TryAdd(episode.Id, episode))
            {
                throw r.Error($"episode '{episode.Id}' appears twice");
            }
        }

        Expect(ref r, SnapshotSection.SessionEpisodes, "session episodes");
        var sessionEpisodeCount = r.ReadCount(2);
        for (var i = 0; i < sessionEpisodeCount; i++)
        {
            var sessionId = r.ReadRef();
            List<string> episodeIds = [.. r.ReadRefs()];
            if (!s.SessionEpisodes.TryAdd(sessionId, episodeIds))
            {
                throw r.Error($"session '{sessionId}' appears twice");
            }
        }

        Expect(ref r, SnapshotSection.ExtractedEpisodes, "extracted episodes");
        var extractedCount = r.ReadCount(1);
        for (var i = 0; i < extractedCount; i++)
        {
            s.ExtractedEpisodes.Add(r.ReadString());
        }

        Expect(ref r, SnapshotSection.TurnEpisodes, "turn episodes");
        var turnEpisodeCount = r.ReadCount(2);
        for (var i = 0; i < turnEpisodeCount; i++)
        {
            var turnId = r.ReadRef();
            s.TurnEpisodes.Add((turnId, r.ReadRef()));
        }

        Expect(ref r, SnapshotSection.Notes, "notes");
        var noteCount = r.ReadCount(32);
        var notes = new List<Note>(noteCount);
        for (var i = 0; i < noteCount; i++)
        {
            notes.Add(RecordFormat.ReadNote(ref r, version));
        }

        Expect(ref r, SnapshotSection.Lineages, "lineages");
        var lineageCount = r.ReadCount(2);
        var lineages = new List<(string LineageId, List<string> VersionIds)>(lineageCount);
        for (var i = 0; i < lineageCount; i++)
        {
            var lineageId = r.ReadRef();
            lineages.Add((lineageId, [.. r.ReadRefs()]));
        }

        Expect(ref r, SnapshotSection.NoteKeys, "note keys");
        var duplicateCount = r.ReadCount(2);
        var duplicateKeys = new List<(string Key, string VersionId)>(duplicateCount);
        for (var i = 0; i < duplicateCount; i++)
        {
            var key = r.ReadString();
            duplicateKeys.Add((key, r.ReadRef()));
        }

        var attributeCount = r.ReadCount(2);
        var attributeKeys = new List<(string Key, List<string> VersionIds)>(attributeCount);
        for (var i = 0; i < attributeCount; i++)
        {
            var key = r.ReadString();
            attributeKeys.Add((key, [.. r.ReadRefs()]));
        }

        try
        {
            s.Notes.Load(notes, lineages, duplicateKeys, attributeKeys);
        }
        catch (InvalidDataException e)
        {
            throw r.Error(e.Message);
        }

        Expect(ref r, SnapshotSection.Pending, "pending embeddings");
        var pendingCount = r.ReadCount(2);
        for (var i = 0; i < pendingCount; i++)
        {
            var kind = (MemoryItemKind)r.ReadEnumValue(3, "item kind");
            s.Pending.Add(new PendingItem(kind, r.ReadRef()));
        }

        Expect(ref r, SnapshotSection.Lexical, "lexical index");
        s.Lexical = DeferredLexicalSection.Skip(ref r, payload, SnapshotName); // built on first use

        Expect(ref r, SnapshotSection.Dense, "dense vectors");
        r.Section = "dense vectors of turns";
        s.TurnDense = ReadDense(ref r, s, MemoryItemKind.Turn, version, dimensions);
        r.Section = "dense vectors of episodes";
        s.EpisodeDense = ReadDense(ref r, s, MemoryItemKind.Episode, version, dimensions);
        r.Section = "dense vectors of notes";
        s.NoteDense = ReadDense(ref r, s, MemoryItemKind.Note, version, dimensions);

        if (version >= 2)
        {
            Expect(ref r, SnapshotSection.Guard, "guard");
            ReadGuard(ref r, s, version);
        }

        if (version >= 5)
        {
            Expect(ref r, SnapshotSection.OffloadedVectors, "offloaded vectors");
            foreach (var id in r.ReadRefs())
            {
                if (!s.Turns.ContainsKey(id))
                {
                    throw r.Error($"offloaded turn '{id}' is not a stored turn");
                }

                if (s.DropVectors)
                {
                    s.Pending.Add(new PendingItem(MemoryItemKind.Turn, id)); // the external index holds the old embedder's vector
                }
                else
                {
                    s.OffloadedTurns.Add(id);
                }
            }
        }

        Expect(ref r, SnapshotSection.End, "end");
        r.ExpectEnd();
        return s;
    }

    private static void Expect(ref PayloadReader r, SnapshotSection section, string name)
    {
        r.Section = name + " section";
        var tag = r.ReadByte();
        if (tag != (byte)section)
        {
            throw r.Error($"section tag {tag} found where {(byte)section} ({name}) was expected");
        }
    }

    private static EncodedVectors? ReadDense(ref PayloadReader r, SnapshotState s, MemoryItemKind kind, int version, int dimensions)
    {
        var (keys, vectors) = DenseSnapshotSection.Read(ref r, version, dimensions, keep: !s.DropVectors);
        if (s.DropVectors)
        {
            foreach (var key in keys)
            {
                s.Pending.Add(new PendingItem(kind, key)); // re-embedded by the current embedder
            }
        }

        return vectors;
    }

    private void LoadSnapshot(SnapshotState s)
    {
        _sequence = s.Sequence;
        _participants.AddRange(s.Participants);
        _sessions.EnsureCapacity(s.Sessions.Count);
        _episodes.EnsureCapacity(s.Episodes.Count);
        _turns.EnsureCapacity(s.Turns.Count);
        foreach (var (id, turn) in s.Turns)
        {
            _turns.Add(id, turn);
        }

        foreach (var (sessionId, turns) in s.Sessions)
        {
            _sessions.Add(sessionId, turns);
        }

        foreach (var sessionId in s.DirtySessions)
        {
            _dirtySessions.Add(sessionId);
        }

        foreach (var (id, episode) in s.Episodes)
        {
            _episodes.Add(id, episode);
        }

        foreach (var (sessionId, episodeIds) in s.SessionEpisodes)
        {
            _sessionEpisodes.Add(sessionId, episodeIds);
        }

        foreach (var key in s.ExtractedEpisodes)
        {
            _extractedEpisodes.Add(key);
        }

        _turnEpisode.EnsureCapacity(s.TurnEpisodes.Count);
        foreach (var (turnId, episodeId) in s.TurnEpisodes)
        {
            _turnEpisode[turnId] = episodeId;
        }

        _notes = s.Notes;
        _notes.Observer = OnNoteStoreChange;
        _lexical.LoadDeferred(s.Lexical);
        foreach (var turn in _turns.Values)
        {
            Passages.Upsert(turn.Id, turn.Text); // derived, not persisted; a quarantined turn's are never searched (IsExcluded)
        }

        // Decoded and indexed by the first call that needs them (TieredVectorIndex.LoadDeferred).
        foreach (var (index, vectors) in (ReadOnlySpan<(TieredVectorIndex, EncodedVectors?)>)[(_turnDense, s.TurnDense), (_episodeDense, s.EpisodeDense), (_noteDense, s.NoteDense)])
        {
            if (vectors is not null)
            {
                index.LoadDeferred(vectors);
            }
        }

        foreach (var item in s.Pending)
        {
            EnqueuePending(item.Kind, item.Id);
        }

        foreach (var id in s.OffloadedTurns)
        {
            _offloaded.Add(id);
        }

        if (s.OffloadedTurns.Count > 0)
        {
            _offloaded.Dimensions = s.Dimensions;
        }

        foreach (var entry in s.Quarantine)
        {
            _quarantine[entry.ItemId] = entry;
        }

        foreach (var note in s.HeldNotes)
        {
            _heldNotes[note.Id] = note;
        }

        foreach (var lesson in s.Lessons)
        {
            _lessons[lesson.Id] = lesson;
        }

        _unverifiedDimensions = s.UnverifiedDimensions;
        _historyCharacters = -1;
        RebuildTestimonyInBackground(s.TestimonyVerdicts);
    }

    // What a snapshot holds, read completely before anything is loaded (a corrupt snapshot leaves the memory empty).
    private sealed class SnapshotState
    {
        public long Sequence { get; set; }

        public List<string> Participants { get; set; } = [];

        public bool DropVectors { get; set; }

        public int UnverifiedDimensions { get; set; }

        public int Dimensions { get; set; }

        public Dictionary<string, Turn> Turns { get; set; } = [];

        public Dictionary<string, List<Turn>> Sessions { get; } = new(StringComparer.Ordinal);

        public List<string> DirtySessions { get; set; } = [];

        public Dictionary<string, Episode> Episodes { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, List<string>> SessionEpisodes { get; } = new(StringComparer.Ordinal);

        public List<string> ExtractedEpisodes { get; } = [];

        public List<(string TurnId, string EpisodeId)> TurnEpisodes { get; } = [];

        public NoteStore Notes { get; } = new();

        public List<PendingItem> Pending { get; } = [];

        public Dictionary<string, string>? TestimonyVerdicts { get; set; }

        public DeferredLexicalSection Lexical { get; set; } = null!;

        public EncodedVectors? TurnDense { get; set; }

        public List<string> OffloadedTurns { get; } = [];

        public EncodedVectors? EpisodeDense { get; set; }

        public EncodedVectors? NoteDense { get; set; }

        public List<Guard.QuarantineEntry> Quarantine { get; } = [];

        public List<Note> HeldNotes { get; } = [];

        public List<Guard.GuardLesson> Lessons { get; } = [];
    }
}
