namespace MemoryFabric.Guard;

/// <summary>
/// A speaker's own account for the testimony checks (or the established history as a whole): the terms of each of
/// their turns, one document per turn, kept by a caller-chosen document id so a turn can leave it again (quarantined,
/// released, rolled back). Optionally it keeps its terms grouped by how many documents hold them, so a caller can
/// find the terms whose standing changes when the account's size moves <see cref="Limit"/>.
/// </summary>
internal sealed class TestimonyAccount(bool countTerms = false)
{
    private readonly Dictionary<int, HashSet<string>> _documents = [];
    private readonly Dictionary<string, List<int>> _postings = new(StringComparer.Ordinal); // document ids, ascending
    private readonly Dictionary<int, HashSet<string>>? _byCount = countTerms ? [] : null;

    /// <summary>The number of documents (turns), empty ones included.</summary>
    public int Count => _documents.Count;

    /// <summary>How many of the account's documents a term may be in and still mark a topic of the account (the
    /// commonest terms of a speaker mark none): a quarter of them, at least 3.</summary>
    public int Limit => Math.Max(3, _documents.Count / 4);

    /// <summary>Adds a document.</summary>
    /// <param name="id">Its id, unique in this account.</param>
    /// <param name="terms">Its terms (those of one character are left out).</param>
    public void Add(int id, IEnumerable<string> terms) =>
        Add(id, new HashSet<string>(terms.Where(t => t.Length > 1), StringComparer.Ordinal));

    /// <summary>Adds a document whose terms are already a set, which the account keeps (it must not change).</summary>
    /// <param name="id">Its id, unique in this account.</param>
    /// <param name="set">Its terms, none of one character.</param>
    public void Add(int id, HashSet<string> set)
    {
        _documents.Add(id, set);
        foreach (var term in set)
        {
            if (!_postings.TryGetValue(term, out var docs))
            {
                docs = [];
                _postings[term] = docs;
            }

            if (docs.Count == 0 || docs[^1] < id)
            {
                docs.Add(id); // ids mostly come in ascending order
            }
            else
            {
                docs.Insert(~docs.BinarySearch(id), id);
            }

            Recount(term, docs.Count - 1, docs.Count);
        }
    }

    /// <summary>Removes a document.</summary>
    /// <param name="id">Its id.</param>
    /// <returns>Whether it was there.</returns>
    public bool Remove(int id)
    {
        if (!_documents.Remove(id, out var set))
        {
            return false;
        }

        foreach (var term in set)
        {
            var docs = _postings[term];
            docs.RemoveAt(docs.BinarySearch(id));
            Recount(term, docs.Count + 1, docs.Count);
            if (docs.Count == 0)
            {
                _postings.Remove(term);
            }
        }

        return true;
    }

    /// <summary>Empties the account.</summary>
    public void Clear()
    {
        _documents.Clear();
        _postings.Clear();
        _byCount?.Clear();
    }

    /// <summary>The terms held by exactly <paramref name="count"/> documents (only when terms are counted).</summary>
    /// <param name="count">The number of documents.</param>
    /// <returns>The terms.</returns>
    public IEnumerable<string> TermsIn(int count) =>
        _byCount is not null && _byCount.TryGetValue(count, out var terms) ? terms : [];

    /// <summary>Whether one document of the account holds all the terms.</summary>
    /// <param name="terms">The terms (at least one).</param>
    /// <returns>Whether it is stated.</returns>
    public bool States(IReadOnlyList<string> terms)
    {
        List<int>? rarest = null;
        foreach (var term in terms)
        {
            if (!_postings.TryGetValue(term, out var docs))
            {
                return false;
            }

            if (rarest is null || docs.Count < rarest.Count)
            {
                rarest = docs;
            }
        }

        return rarest is not null && rarest.Any(d => terms.All(_documents[d].Contains));
    }

    /// <summary>Whether a claim contradicts the account: it is about a topic the speaker spoke of when two of its
    /// terms (not among the commonest of the account, see <see cref="Limit"/>) appear together in one of the
    /// speaker's turns, and it contradicts the account when it holds terms none of those turns has.</summary>
    /// <param name="claim">The claim's terms.</param>
    /// <returns>The topic (the rarest pair of the claim's terms the speaker used together) and the claim's terms none
    /// of those turns holds, or <see langword="null"/>.</returns>
    public (IReadOnlyList<string> Topic, IReadOnlyList<string> Unbacked)? Contradiction(HashSet<string> claim)
    {
        var limit = Limit;
        var related = claim.Where(t => _postings.TryGetValue(t, out var p) && p.Count <= limit)
            .OrderBy(t => _postings[t].Count).ThenBy(t => t, StringComparer.Ordinal).ToList();
        if (related.Count < 2)
        {
            return null;
        }

        for (var i = 0; i < related.Count; i++)
        {
            var first = _postings[related[i]];
            for (var j = i + 1; j < related.Count; j++)
            {
                var second = _postings[related[j]];
                var docs = Intersect(first, second);
                if (docs.Count == 0)
                {
                    continue;
                }

                var unbacked = claim.Where(t => !docs.Any(d => _documents[d].Contains(t))).OrderBy(t => t, StringComparer.Ordinal).ToList();
                return unbacked.Count == 0 ? null : ([related[i], related[j]], unbacked);
            }
        }

        return null;
    }

    // The ids two ascending lists share.
    private static List<int> Intersect(List<int> a, List<int> b)
    {
        var shared = new List<int>();
        for (int i = 0, j = 0; i < a.Count && j < b.Count;)
        {
            if (a[i] == b[j])
            {
                shared.Add(a[i]);
                i++;
                j++;
            }
            else if (a[i] < b[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return shared;
    }

    private void Recount(string term, int was, int now)
    {
        if (_byCount is null)
        {
            return;
        }

        if (was > 0 && _byCount.TryGetValue(was, out var before))
        {
            before.Remove(term);
            if (before.Count == 0)
            {
                _byCount.Remove(was);
            }
        }

        if (now > 0)
        {
            if (!_byCount.TryGetValue(now, out var after))
            {
                after = new HashSet<string>(StringComparer.Ordinal);
                _byCount[now] = after;
            }

            after.Add(term);
        }
    }
}
