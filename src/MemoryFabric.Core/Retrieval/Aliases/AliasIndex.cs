using MemoryFabric.Conversation;

namespace MemoryFabric.Retrieval.Aliases;

/// <summary>
/// Who "my sis" is, per speaker (issue 27, item 5): the names each speaker has tied to a relation ("Hamza (my
/// brother)"), so that a turn that later says only "my bro just ran a marathon" is found by a query that names Hamza.
/// A turn is indexed with the names of the relations it mentions without naming them; when a name is learned after
/// such mentions, the turns that made them are returned to be indexed again. Derived from the turns: rebuilt from
/// them after a restore (the lexical index it feeds is persisted with the names already in it). A name goes when
/// the last turn that taught it is deleted or quarantined.
/// </summary>
/// <remarks>Not thread-safe: used under the memory's own synchronisation, like its other indexes.</remarks>
public sealed class AliasIndex
{
    // The most names kept per speaker and relation (a speaker with three brothers still gets all three).
    private const int MaxNames = 3;

    // Each name with the turns that taught it: a name stays while one of them does.
    private readonly Dictionary<(string Speaker, string Relation), List<(string Name, HashSet<string> Teachers)>> _names = [];
    private readonly Dictionary<(string Speaker, string Relation), HashSet<string>> _mentions = [];

    /// <summary>Reads a turn: learns the names it ties to relations and notes the relations it mentions.</summary>
    /// <param name="turn">The turn.</param>
    /// <returns>The ids of earlier turns whose mentions the turn just named (to be indexed again).</returns>
    public IReadOnlyList<string> Observe(Turn turn)
    {
        ArgumentNullException.ThrowIfNull(turn);
        var speaker = Key(turn.Speaker);
        List<string>? reindex = null;
        var definitions = RelationMentions.Definitions(turn.Text);
        foreach (var (relation, name) in definitions)
        {
            var key = (speaker, relation);
            if (!_names.TryGetValue(key, out var names))
            {
                _names[key] = names = [];
            }

            var known = names.FindIndex(n => string.Equals(n.Name, name, StringComparison.OrdinalIgnoreCase));
            if (known >= 0)
            {
                names[known].Teachers.Add(turn.Id);
            }
            else if (names.Count < MaxNames)
            {
                names.Add((name, new HashSet<string>(StringComparer.Ordinal) { turn.Id }));
                if (_mentions.TryGetValue(key, out var earlier))
                {
                    (reindex ??= []).AddRange(earlier.Where(id => !string.Equals(id, turn.Id, StringComparison.Ordinal)));
                }
            }
        }

        foreach (var relation in RelationMentions.Mentions(turn.Text))
        {
            var key = (speaker, relation);
            if (definitions.Any(d => d.Relation == relation))
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

    /// <summary>Forgets a turn (deleted, or quarantined): its mentions, and the names only it taught.</summary>
    /// <param name="turn">The turn.</param>
    /// <returns>The ids of turns that referred to a name it alone taught (to be indexed again, without it).</returns>
    public IReadOnlyList<string> Forget(Turn turn)
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

        List<string>? reindex = null;
        foreach (var (relation, name) in RelationMentions.Definitions(turn.Text))
        {
            var key = (speaker, relation);
            if (!_names.TryGetValue(key, out var names))
            {
                continue;
            }

            var at = names.FindIndex(n => string.Equals(n.Name, name, StringComparison.OrdinalIgnoreCase));
            if (at < 0 || !names[at].Teachers.Remove(turn.Id) || names[at].Teachers.Count > 0)
            {
                continue;
            }

            names.RemoveAt(at);
            if (names.Count == 0)
            {
                _names.Remove(key);
            }

            if (_mentions.TryGetValue(key, out var mentions))
            {
                (reindex ??= []).AddRange(mentions);
            }
        }

        return reindex is null ? [] : [.. reindex.Distinct(StringComparer.Ordinal)];
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
                foreach (var (name, _) in names)
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

    private static string Key(string speaker) => speaker.Trim().ToLowerInvariant();
}
