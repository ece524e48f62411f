using MemoryFabric.Conversation;

namespace MemoryFabric.Retrieval.Aliases;

/// <summary>
/// Who "my sis" is, per speaker (issue 27, item 5): the names each speaker has tied to a relation ("Hamza (my
/// brother)"), so that a turn that later says only "my bro just ran a marathon" is found by a query that names Hamza.
/// A turn is indexed with the names of the relations it mentions without naming them; when a name is learned after
/// such mentions, the turns that made them are returned to be indexed again. Derived from the turns: rebuilt from
/// them after a restore (the lexical index it feeds is persisted with the names already in it).
/// </summary>
/// <remarks>Not thread-safe: used under the memory's own synchronisation, like its other indexes.</remarks>
public sealed class AliasIndex
{
    // The most names kept per speaker and relation (a speaker with three brothers still gets all three).
    private const int MaxNames = 3;

    private readonly Dictionary<(string Speaker, string Relation), List<string>> _names = [];
    private readonly Dictionary<(string Speaker, string Relation), HashSet<string>> _mentions = [];

    /// <summary>How many (speaker, relation) pairs have a name.</summary>
    public int Count => _names.Count;

    /// <summary>Reads a turn: learns the names it ties to relations and notes the relations it mentions.</summary>
    /// <param name="turn">The turn.</param>
    /// <returns>The ids of earlier turns whose mentions the turn just named (to be indexed again).</returns>
    public IReadOnlyList<string> Observe(Turn turn)
    {
        ArgumentNullException.ThrowIfNull(turn);
        var speaker = Key(turn.Speaker);
        List<string>? reindex = null;
        foreach (var (relation, name) in RelationMentions.Definitions(turn.Text))
        {
            var key = (speaker, relation);
            if (!_names.TryGetValue(key, out var names))
            {
                _names[key] = names = [];
            }

            if (names.Count < MaxNames && !names.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                names.Add(name);
                if (_mentions.TryGetValue(key, out var earlier))
                {
                    (reindex ??= []).AddRange(earlier.Where(id => !string.Equals(id, turn.Id, StringComparison.Ordinal)));
                }
            }
        }

        var defined = RelationMentions.Definitions(turn.Text).Select(d => d.Relation).ToHashSet(StringComparer.Ordinal);
        foreach (var relation in RelationMentions.Mentions(turn.Text))
        {
            var key = (speaker, relation);
            if (defined.Contains(relation))
            {
                continue; // "Hamza (my brother)" says whom it means
            }

            if (!_mentions.TryGetValue(key, out var ids))
            {
                _mentions[key] = ids = new HashSet<string>(StringComparer.Ordinal);
            }

            ids.Add(turn.Id);
        }

        return reindex is null ? [] : [.. reindex.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Forgets a turn's mentions (it was deleted); the names it taught stay until <see cref="Clear"/>.</summary>
    /// <param name="turn">The turn.</param>
    public void Forget(Turn turn)
    {
        ArgumentNullException.ThrowIfNull(turn);
        var speaker = Key(turn.Speaker);
        foreach (var relation in RelationMentions.Mentions(turn.Text))
        {
            if (_mentions.TryGetValue((speaker, relation), out var ids))
            {
                ids.Remove(turn.Id);
            }
        }
    }

    /// <summary>The names a turn refers to without saying them: those its speaker tied to each relation it mentions
    /// (but does not name itself), less the ones the turn already says.</summary>
    /// <param name="turn">The turn.</param>
    /// <returns>The names, each once.</returns>
    public IReadOnlyList<string> NamesReferredTo(Turn turn)
    {
        ArgumentNullException.ThrowIfNull(turn);
        if (_names.Count == 0)
        {
            return [];
        }

        var speaker = Key(turn.Speaker);
        List<string>? result = null;
        var defined = RelationMentions.Definitions(turn.Text).Select(d => d.Relation).ToHashSet(StringComparer.Ordinal);
        foreach (var relation in RelationMentions.Mentions(turn.Text))
        {
            if (!defined.Contains(relation) && _names.TryGetValue((speaker, relation), out var names))
            {
                foreach (var name in names)
                {
                    if (!turn.Text.Contains(name, StringComparison.OrdinalIgnoreCase))
                    {
                        (result ??= []).Add(name);
                    }
                }
            }
        }

        return result is null ? [] : [.. result.Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>Forgets everything.</summary>
    public void Clear()
    {
        _names.Clear();
        _mentions.Clear();
    }

    private static string Key(string speaker) => speaker.Trim().ToLowerInvariant();
}
