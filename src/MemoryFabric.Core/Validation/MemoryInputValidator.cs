using MemoryFabric.Conversation;
using MemoryFabric.Notes;

namespace MemoryFabric.Validation;

/// <summary>Checks what a caller hands the memory (a batch of turns, an import of note versions) before anything is
/// stored: all of a batch is valid, or none of it is stored and the first problem is reported.</summary>
internal static class MemoryInputValidator
{
    /// <summary>Checks a batch of turns for ingestion.</summary>
    /// <param name="turns">The batch.</param>
    /// <param name="options">The limits.</param>
    /// <exception cref="MemoryInputException">The batch is too large, or a turn is null, has an invalid or repeated id, an
    /// invalid session id or speaker, a blank or too long text, no timestamp, a trust outside [0, 1] or an unknown
    /// source kind.</exception>
    public static void ValidateTurns(IReadOnlyList<TurnInput> turns, AgentMemoryOptions options)
    {
        if (turns.Count > options.MaxBatchSize)
        {
            throw new MemoryInputException($"A batch holds at most {options.MaxBatchSize} turns; this one has {turns.Count}.", nameof(turns));
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < turns.Count; i++)
        {
            var t = turns[i] ?? throw new MemoryInputException($"Turn {i} of the batch is null.", nameof(turns));
            var where = t.Id is null || Identifiers.ContainsControl(t.Id) ? $"Turn {i} of the batch" : $"Turn '{t.Id}' (#{i} of the batch)";
            string? problem =
                t.Id is not null && Identifiers.Problem(t.Id) is { } idProblem ? $"has an id that {idProblem}"
                : t.Id is not null && !ids.Add(t.Id) ? "has an id that appears twice in the batch"
                : string.IsNullOrWhiteSpace(t.SessionId) ? "has no session id"
                : Identifiers.Problem(t.SessionId) is { } sessionProblem ? $"has a session id that {sessionProblem}"
                : string.IsNullOrWhiteSpace(t.Speaker) ? "has no speaker"
                : Identifiers.Problem(t.Speaker) is { } speakerProblem ? $"has a speaker that {speakerProblem}"
                : string.IsNullOrWhiteSpace(t.Text) ? "has an empty text"
                : t.Text.Length > options.MaxTurnTextLength ? $"has {t.Text.Length} characters; the limit is {options.MaxTurnTextLength}"
                : t.Timestamp == default ? "has no timestamp"
                : t.Trust is { } trust && (!double.IsFinite(trust) || trust < 0 || trust > 1) ? $"has trust {trust}; it must be between 0 and 1"
                : t.Source is { } source && !Enum.IsDefined(source) ? $"has an unknown source kind {source}"
                : null;
            if (problem is not null)
            {
                throw new MemoryInputException($"{where} {problem}.", nameof(turns));
            }
        }
    }

    /// <summary>Checks note versions for import.</summary>
    /// <param name="notes">The versions.</param>
    /// <param name="options">The limits.</param>
    /// <exception cref="MemoryInputException">A version is invalid or an id appears twice.</exception>
    public static void ValidateImportedNotes(IReadOnlyList<Note> notes, AgentMemoryOptions options)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var max = options.MaxNoteTextLength;
        for (var i = 0; i < notes.Count; i++)
        {
            var n = notes[i] ?? throw new MemoryInputException($"Note {i} of the import is null.", nameof(notes));
            var where = !Identifiers.IsValid(n.Id) ? $"Note {i} of the import" : $"Note '{n.Id}' (#{i} of the import)";
            string? problem =
                Identifiers.Problem(n.Id) is { } idProblem ? $"has an id that {idProblem}"
                : Identifiers.Problem(n.LineageId) is { } lineageProblem ? $"has a lineage id that {lineageProblem}"
                : !ids.Add(n.Id) ? "appears twice in the import"
                : string.IsNullOrWhiteSpace(n.Text) ? "has a blank text"
                : n.Text.Length > max ? $"has {n.Text.Length} characters; the limit is {max}"
                : string.IsNullOrWhiteSpace(n.Subject) ? "has a blank subject"
                : n.Subject.Length > max ? $"has a subject of {n.Subject.Length} characters; the limit is {max}"
                : n.Version < 1 ? $"has version {n.Version}; versions start at 1"
                : n.Attribute is not null != n.Value is not null ? "has an attribute without a value or a value without an attribute"
                : !Enum.IsDefined(n.Kind) || !Enum.IsDefined(n.Status) ? "has an unknown kind or status"
                : n.Provenance is null || n.Provenance.TurnIds is null || n.Provenance.Extractor is null || n.Provenance.ExtractorVersion is null ? "has no provenance"
                : n.Entities is null || n.Links is null || n.Entities.Contains(null!) || n.Links.Contains(null!) || n.Provenance.TurnIds.Contains(null!) ? "has a null entity, link or source turn list or entry"
                : n.Provenance.TurnIds.FirstOrDefault(id => !Identifiers.IsValid(id)) is { } badTurn ? $"cites a source turn id that {Identifiers.Problem(badTurn)}"
                : !double.IsFinite(n.Importance) || !double.IsFinite(n.Strength) ? "has a non-finite importance or strength"
                : null;
            if (problem is not null)
            {
                throw new MemoryInputException($"{where} {problem}.", nameof(notes));
            }
        }
    }
}
